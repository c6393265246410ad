from django.urls import path

from accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("e-legitimation/", views.eid_login, name="eid_login"),
    path("e-legitimation/oidc/start/", oidc.EidOidcStartView.as_view(), name="oidc_start"),
    path("e-legitimation/oidc/svar/", oidc.EidOidcCallbackView.as_view(), name="oidc_callback"),
    path("personal/logga-in/", views.StaffLoginView.as_view(), name="staff_login"),
    path("personal/engangskod/", views.otp_verify, name="otp_verify"),
    path("personal/engangskod/ny-app/", views.otp_enroll, name="otp_enroll"),
    path("logga-ut/", views.logout, name="logout"),
    path("fortsatt-inloggad/", views.session_extend, name="session_extend"),
    path("start/", views.home_for_user, name="home"),
]
