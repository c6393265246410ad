from django.urls import path

from caseworker.caseload import views as caseload_views
from caseworker.letters import template_views
from caseworker.letters import views as letter_views
from caseworker.payments import file_views as payment_file_views
from caseworker.payments import views as payment_views
from caseworker.workbench import case_actions, case_page, queue_views

app_name = "caseworker"

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("tilldela/", queue_views.queue_assign, name="queue_assign"),
    path("sok/<int:pk>/", queue_views.queue_search_open, name="queue_search_open"),
    path("arende/<int:pk>/", case_page.case_detail, name="case_detail"),
    path(
        "arende/<int:pk>/till-roboten/",
        case_actions.case_return_to_robot,
        name="case_return_to_robot",
    ),
    path("arende/<int:pk>/varningar/", case_page.case_warnings, name="case_warnings"),
    path("arende/<int:pk>/journal/", case_page.case_journal, name="case_journal"),
    path(
        "arende/<int:pk>/personnummer/",
        case_page.case_personnummer,
        name="case_personnummer",
    ),
    path("arende/<int:pk>/berakning/", case_page.case_calculation, name="case_calculation"),
    path(
        "arende/<int:pk>/godkann/", case_actions.case_section_approve, name="case_section_approve"
    ),
    path("arende/<int:pk>/attest/", case_page.case_second_approval, name="case_second_approval"),
    path(
        "arende/<int:pk>/komplettering/",
        case_actions.case_supplement_request,
        name="case_supplement_request",
    ),
    path(
        "arende/<int:pk>/komplettering/mottagen/",
        case_actions.case_supplement_received,
        name="case_supplement_received",
    ),
    path(
        "arende/<int:pk>/kommunicering/",
        case_actions.case_communication_send,
        name="case_communication_send",
    ),
    path(
        "arende/<int:pk>/barnkonsekvens/", case_actions.case_child_impact, name="case_child_impact"
    ),
    path("arende/<int:pk>/spar/", case_actions.case_track, name="case_track"),
    path("arende/<int:pk>/hushall/", case_actions.case_household_link, name="case_household_link"),
    path(
        "arende/<int:pk>/bilaga/<int:attachment_pk>/",
        case_page.case_attachment,
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
    path("ledning/", caseload_views.dashboard, name="dashboard"),
    path("ledning/larm/<int:pk>/", caseload_views.alert_resolve, name="alert_resolve"),
    path("statistik/", caseload_views.statistics, name="statistics"),
    path("statistik.csv", caseload_views.statistics_export, name="statistics_export"),
    # Standard reasons and their provisions, edited by a team lead (#16 item 6)
    path("standardtexter/", template_views.reason_templates, name="reason_templates"),
    path("standardtexter/andra/", template_views.reason_template_edit, name="reason_template_edit"),
    path("arende/<int:pk>/overlamning/", caseload_views.referral_new, name="referral_new"),
    path("overlamningar/", caseload_views.referral_list, name="referral_list"),
    path(
        "overlamning/<int:pk>/kvittera/",
        caseload_views.referral_acknowledge_view,
        name="referral_acknowledge",
    ),
    path(
        "overlamning/<int:pk>/avsluta/", caseload_views.referral_close_view, name="referral_close"
    ),
    path(
        "overlamning/<int:pk>/ge-till/",
        caseload_views.referral_reassign_view,
        name="referral_reassign",
    ),
    path("arende/<int:pk>/bevakning/", caseload_views.reminder_new, name="reminder_new"),
    path("bevakning/<int:pk>/klar/", caseload_views.reminder_done_view, name="reminder_done"),
    path("uppsokande/<int:pk>/", caseload_views.outreach_done, name="outreach_done"),
    # The team lead's payment files (#18)
    path("betalfiler/", payment_file_views.payment_files, name="payment_files"),
    path("betalfiler/skapa/", payment_file_views.payment_file_new, name="payment_file_create"),
    path(
        "betalfiler/<int:pk>/pain001.xml",
        payment_file_views.payment_file_xml,
        name="payment_file_download",
    ),
    path(
        "betalfiler/<int:pk>/skickad/",
        payment_file_views.payment_file_sent,
        name="payment_file_mark_sent",
    ),
    # The bank's camt.054 notification read back (#19 item 5)
    path(
        "betalfiler/bankens-besked/",
        payment_file_views.payment_returns_upload,
        name="payment_returns_upload",
    ),
]
