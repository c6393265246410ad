from django.contrib import admin
from django.urls import include, path

from accounts.admin import admin_login
from caseworker.decisions import applicant_views as decision_applicant_views
from caseworker.letters import views as letter_views
from intake.views.accessibility import accessibility_statement, home, privacy_notice
from operations import health

urlpatterns = [
    path("", home, name="home"),
    path("", include("accounts.urls")),
    # The applicant's pages that belong to the layers above intake (ADR 0012: intake imports
    # none of them): the decision letter, kommunicering, notice settings.
    path(
        "ansokan/<int:pk>/beslut.pdf",
        letter_views.letter_download_applicant,
        name="application_letter",
    ),
    path(
        "ansokan/<int:pk>/kommunicering/",
        decision_applicant_views.application_communication,
        name="application_communication",
    ),
    path("ansokan/", include("notifications.urls")),
    path("ansokan/", include("intake.urls")),
    # Staff registering assisted and paper applications, and mandates (#5).
    path("handlaggare/", include("intake.assisted_urls")),
    path("handlaggare/", include("caseworker.urls")),
    path("moten/", include("meetings.urls")),
    path("provrakning/", include("eligibility.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tillganglighet/", accessibility_statement, name="accessibility"),
    path("integritet/", privacy_notice, name="privacy"),
    # Operations (#9): liveness and readiness (details only for staff or with X-Health-Token).
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    # The admin's own login (`admin:login`, the same path) is replaced: it sends everyone to the
    # staff login, with its rate limits, lockout and second factor, and never checks a password.
    # It must come before the admin's URLs to take their place.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
]
