from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("installningar/", views.notification_settings, name="settings"),
    # The SMS gateway's delivery reports (a signed URL per notice; notifications.sms).
    path(
        "sms-leveransrapport/<int:notice_id>/<str:token>/",
        views.sms_delivery_report,
        name="sms_delivery_report",
    ),
]
