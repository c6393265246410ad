from django.urls import path

from intake import emergency_views, representative_views, views

app_name = "intake"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("ny/", views.application_start, name="application_start"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/hushall/", views.step_household, name="step_household"),
    path("<int:pk>/partner/", views.step_partner, name="step_partner"),
    path("<int:pk>/barn/", views.step_children, name="step_children"),
    path("<int:pk>/boende/", views.step_housing, name="step_housing"),
    path("<int:pk>/boende/", views.step_housing, name="step_costs"),  # the older name
    path("<int:pk>/andra-kostnader/", views.step_other_costs, name="step_other_costs"),
    path("<int:pk>/inkomster/", views.step_incomes, name="step_incomes"),
    path("<int:pk>/tillgangar/", views.step_assets, name="step_assets"),
    path("<int:pk>/dokument/", views.step_attachments, name="step_attachments"),
    path("<int:pk>/granska/", views.step_review, name="step_review"),
    path("<int:pk>/skickad/", views.application_sent, name="application_sent"),
    path("<int:pk>/har-nagot-andrats/", views.application_changes, name="application_changes"),
    path("<int:pk>/spara/<slug:step>/", views.autosave, name="autosave"),
    path("<int:pk>/aterta/", views.application_withdraw, name="application_withdraw"),
    path("<int:pk>/akut/", emergency_views.application_emergency, name="application_emergency"),
    path(
        "<int:pk>/dokument/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/dokument/<int:attachment_pk>/ta-bort/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("<int:pk>/komplettering/", views.supplement_upload, name="supplement_upload"),
    path("<int:pk>/komplettering/skicka/", views.supplement_send, name="supplement_send"),
    path("<int:pk>/meddelanden/", views.message_post, name="message_post"),
    path("<int:pk>/medsokande/", views.partner_review, name="partner_review"),
    path("<int:pk>/medsokande/skriv-under/", views.partner_sign, name="partner_sign"),
    path("<int:pk>/medsokande/avboj/", views.partner_decline, name="partner_decline"),
    # Representatives (#5)
    path("ombud/", representative_views.represented_list, name="represented_list"),
    path("ombud/<int:pk>/ny/", representative_views.represented_start, name="represented_start"),
]
