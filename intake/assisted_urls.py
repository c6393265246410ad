from django.urls import path

from intake import assisted_views

app_name = "assisted"

urlpatterns = [
    path("registrera/", assisted_views.register_start, name="register_start"),
    path("registrera/<int:pk>/", assisted_views.register_application, name="register_application"),
    path(
        "registrera/<int:pk>/papper/",
        assisted_views.register_submit_paper,
        name="register_submit_paper",
    ),
    path("ombud/", assisted_views.mandate_list, name="mandate_list"),
    path("ombud/<int:pk>/aterkalla/", assisted_views.mandate_revoke, name="mandate_revoke"),
]
