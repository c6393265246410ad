from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.day, name="day"),
    path("vecka/", views.week, name="week"),
    path("mote/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("mote/<int:pk>/kalender.ics", views.meeting_ics_staff, name="meeting_ics"),
    path("kalender/", views.feed_settings, name="feed_settings"),
    path("kalender/<str:token>.ics", views.feed, name="feed"),
    path("rapport/", views.report, name="report"),
    path("ansokan/<int:application_pk>/behov/", views.needs_screen, name="needs_screen"),
    path(
        "ansokan/<int:application_pk>/mote/<int:pk>/",
        views.applicant_meeting,
        name="applicant_meeting",
    ),
    path(
        "ansokan/<int:application_pk>/mote/<int:pk>/omboka/",
        views.applicant_reschedule,
        name="applicant_reschedule",
    ),
    path(
        "ansokan/<int:application_pk>/mote/<int:pk>/avboka/",
        views.applicant_cancel,
        name="applicant_cancel",
    ),
    path(
        "ansokan/<int:application_pk>/mote/<int:pk>/behov/",
        views.applicant_needs,
        name="applicant_needs",
    ),
    path(
        "ansokan/<int:application_pk>/mote/<int:pk>/kalender.ics",
        views.applicant_ics,
        name="applicant_ics",
    ),
]
