from django.urls import path

from intake.views import assisted

app_name = "assisted"

urlpatterns = [
    path("registrera/", assisted.register_start, name="register_start"),
    path("registrera/<int:pk>/", assisted.register_application, name="register_application"),
    path(
        "registrera/<int:pk>/papper/",
        assisted.register_submit_paper,
        name="register_submit_paper",
    ),
    path("ombud/", assisted.mandate_list, name="mandate_list"),
    path("ombud/<int:pk>/aterkalla/", assisted.mandate_revoke, name="mandate_revoke"),
]
