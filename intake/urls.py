from django.urls import path

from intake.views import (
    applications,
    bankid,
    documents,
    emergency,
    representatives,
    signing,
    status,
    steps,
)

app_name = "intake"
APPLICANT = {"as_partner": False}
PARTNER = {"as_partner": True}

urlpatterns = [
    path("", applications.application_list, name="application_list"),
    path("ny/", applications.application_start, name="application_start"),
    path("<int:pk>/", status.application_detail, name="application_detail"),
    path("<int:pk>/hushall/", steps.step_household, name="step_household"),
    path("<int:pk>/partner/", steps.step_partner, name="step_partner"),
    path("<int:pk>/barn/", steps.step_children, name="step_children"),
    path("<int:pk>/boende/", steps.step_housing, name="step_housing"),
    path("<int:pk>/boende/", steps.step_housing, name="step_costs"),  # the older name
    path("<int:pk>/andra-kostnader/", steps.step_other_costs, name="step_other_costs"),
    path("<int:pk>/inkomster/", steps.step_incomes, name="step_incomes"),
    path("<int:pk>/tillgangar/", steps.step_assets, name="step_assets"),
    path("<int:pk>/utbetalning/", steps.step_payment, name="step_payment"),
    path("<int:pk>/dokument/", documents.step_attachments, name="step_attachments"),
    path("<int:pk>/kommun/", steps.step_municipality, name="step_municipality"),
    path("<int:pk>/fortsatt/", steps.application_resume, name="application_resume"),
    path("<int:pk>/granska/", signing.step_review, name="step_review"),
    path("<int:pk>/skickad/", signing.application_sent, name="application_sent"),
    path("<int:pk>/har-nagot-andrats/", signing.application_changes, name="application_changes"),
    path("<int:pk>/spara/<slug:step>/", steps.autosave, name="autosave"),
    path("<int:pk>/aterta/", applications.application_withdraw, name="application_withdraw"),
    path("<int:pk>/akut/", emergency.application_emergency, name="application_emergency"),
    path(
        "<int:pk>/dokument/<int:attachment_pk>/",
        documents.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/dokument/<int:attachment_pk>/ta-bort/",
        documents.attachment_remove,
        name="attachment_remove",
    ),
    path("<int:pk>/komplettering/", status.supplement_upload, name="supplement_upload"),
    path("<int:pk>/komplettering/skicka/", status.supplement_send, name="supplement_send"),
    path("<int:pk>/meddelanden/", status.message_post, name="message_post"),
    path("<int:pk>/overklaga/", status.appeal, name="appeal"),
    path("<int:pk>/medsokande/", signing.partner_review, name="partner_review"),
    path("<int:pk>/medsokande/skriv-under/", signing.partner_sign, name="partner_sign"),
    path("<int:pk>/medsokande/avboj/", signing.partner_decline, name="partner_decline"),
    # Signing with BankID (#19 item 3): the applicant's application, a partner's consent
    path("<int:pk>/bankid/", bankid.bankid_sign, APPLICANT, name="bankid_sign"),
    path("<int:pk>/bankid/qr/", bankid.bankid_qr, APPLICANT, name="bankid_qr"),
    path("<int:pk>/bankid/status/", bankid.bankid_collect, APPLICANT, name="bankid_collect"),
    path("<int:pk>/bankid/avbryt/", bankid.bankid_cancel, APPLICANT, name="bankid_cancel"),
    path("<int:pk>/medsokande/bankid/", bankid.bankid_sign, PARTNER, name="partner_bankid_sign"),
    path("<int:pk>/medsokande/bankid/qr/", bankid.bankid_qr, PARTNER, name="partner_bankid_qr"),
    path(
        "<int:pk>/medsokande/bankid/status/",
        bankid.bankid_collect,
        PARTNER,
        name="partner_bankid_collect",
    ),
    path(
        "<int:pk>/medsokande/bankid/avbryt/",
        bankid.bankid_cancel,
        PARTNER,
        name="partner_bankid_cancel",
    ),
    # Representatives (#5)
    path("ombud/", representatives.represented_list, name="represented_list"),
    path("ombud/<int:pk>/ny/", representatives.represented_start, name="represented_start"),
]
