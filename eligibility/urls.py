from django.urls import path

from eligibility.trial import views

app_name = "eligibility"

urlpatterns = [
    path("", views.trial_calculation, name="trial_calculation"),
]
