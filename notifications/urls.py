from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("installningar/", views.notification_settings, name="settings"),
]
