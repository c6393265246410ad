from django.urls import path

from caseworker.caseload import views as ownership_views
from caseworker.letters import views as letter_views
from caseworker.payments import views as payment_views
from caseworker.workbench import case_views as views
from caseworker.workbench import queue_views

app_name = "caseworker"

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("tilldela/", queue_views.queue_assign, name="queue_assign"),
    path("sok/<int:pk>/", queue_views.queue_search_open, name="queue_search_open"),
    path("arende/<int:pk>/", views.case_detail, name="case_detail"),
    path("arende/<int:pk>/till-roboten/", views.case_return_to_robot, name="case_return_to_robot"),
    path("arende/<int:pk>/varningar/", views.case_warnings, name="case_warnings"),
    path("arende/<int:pk>/journal/", views.case_journal, name="case_journal"),
    path("arende/<int:pk>/berakning/", views.case_calculation, name="case_calculation"),
    path("arende/<int:pk>/godkann/", views.case_section_approve, name="case_section_approve"),
    path("arende/<int:pk>/attest/", views.case_second_approval, name="case_second_approval"),
    path(
        "arende/<int:pk>/komplettering/",
        views.case_supplement_request,
        name="case_supplement_request",
    ),
    path(
        "arende/<int:pk>/komplettering/mottagen/",
        views.case_supplement_received,
        name="case_supplement_received",
    ),
    path(
        "arende/<int:pk>/kommunicering/",
        views.case_communication_send,
        name="case_communication_send",
    ),
    path("arende/<int:pk>/barnkonsekvens/", views.case_child_impact, name="case_child_impact"),
    path("arende/<int:pk>/spar/", views.case_track, name="case_track"),
    path(
        "arende/<int:pk>/bilaga/<int:attachment_pk>/",
        views.case_attachment,
        name="case_attachment",
    ),
    # Decision letters and payments (issue #6)
    path("arende/<int:pk>/beslut.pdf", letter_views.letter_download_staff, name="case_letter"),
    path(
        "arende/<int:pk>/utbetalning/",
        payment_views.payment_order_detail,
        name="payment_order_detail",
    ),
    # Ownership, hand-overs, reminders, dashboard and statistics (#7)
    path("ledning/", ownership_views.dashboard, name="dashboard"),
    path("ledning/larm/<int:pk>/", ownership_views.alert_resolve, name="alert_resolve"),
    path("statistik/", ownership_views.statistics, name="statistics"),
    path("statistik.csv", ownership_views.statistics_export, name="statistics_export"),
    path("arende/<int:pk>/overlamning/", ownership_views.referral_new, name="referral_new"),
    path("overlamningar/", ownership_views.referral_list, name="referral_list"),
    path(
        "overlamning/<int:pk>/kvittera/",
        ownership_views.referral_acknowledge_view,
        name="referral_acknowledge",
    ),
    path(
        "overlamning/<int:pk>/avsluta/", ownership_views.referral_close_view, name="referral_close"
    ),
    path(
        "overlamning/<int:pk>/ge-till/",
        ownership_views.referral_reassign_view,
        name="referral_reassign",
    ),
    path("arende/<int:pk>/bevakning/", ownership_views.reminder_new, name="reminder_new"),
    path("bevakning/<int:pk>/klar/", ownership_views.reminder_done_view, name="reminder_done"),
    path("uppsokande/<int:pk>/", ownership_views.outreach_done, name="outreach_done"),
]
