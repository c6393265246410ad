"""T09 (assessment item 5): enrolling the staff second factor needs a one-time activation code
issued out of band, and every enrolment attempt gets its own secret, seen by one session only."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import Municipality, Role, SecondFactorActivation, User
from tests.conftest import PASSWORD

ENROLL = "accounts:otp_enroll"
CODE_SHAPE = re.compile(r"\b[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}\b")


@pytest.fixture
def admin_user(db: None) -> User:
    return User.objects.create_superuser(
        username="forvaltare", password=PASSWORD, role=Role.ADMIN, first_name="Fia"
    )


def logged_in(user: User) -> Client:
    """A session that logged in with the password alone (the TOTP step still to come)."""
    client = Client()
    response = client.post(
        reverse("accounts:staff_login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def issue(user: User, issued_by: User | None = None) -> str:
    return second_factor.second_factor_activation_issue(user=user, issued_by=issued_by)


def redeem(client: Client, code: str):
    return client.post(reverse(ENROLL), {"code": code})


def the_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


# --- the enrolment page ---------------------------------------------------------------------


@override_settings(OTP_REQUIRED=True)
def test_a_password_alone_shows_no_secret_and_binds_no_app(caseworker: User) -> None:
    client = logged_in(caseworker)
    page = client.get(reverse(ENROLL))
    html = page.content.decode()
    assert page.status_code == 200
    assert "data:image/svg+xml" not in html and "otp-secret" not in html
    assert 'name="code"' in html and "Aktiveringskod" in html
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    # Posting a TOTP code instead of an activation code binds nothing either.
    refused = client.post(reverse(ENROLL), {"token": "123456"})
    assert refused.status_code == 400
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert client.get(reverse("caseworker:queue")).status_code == 302


@override_settings(OTP_REQUIRED=True)
def test_with_the_activation_code_the_person_enrols_and_the_code_is_used_up(
    caseworker: User, frozen_wednesday
) -> None:
    code = issue(caseworker)
    client = logged_in(caseworker)
    response = redeem(client, second_factor.activation_code_display(code).lower())
    assert response.status_code == 302 and response["Location"].startswith(reverse(ENROLL))
    page = client.get(reverse(ENROLL))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert page.context["secret"] in page.content.decode()
    response = client.post(
        reverse(ENROLL), {"token": the_code(device), "next": reverse("caseworker:queue")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("caseworker:queue")
    assert client.get(reverse("caseworker:queue")).status_code == 200
    assert second_factor.totp_device_for(caseworker) == device
    activation = SecondFactorActivation.objects.get(user=caseworker)
    assert activation.used_at is not None
    # Used up: neither the person nor anyone else gets a second app with it.
    device.delete()
    again = logged_in(caseworker)
    assert redeem(again, code).status_code == 400
    assert not TOTPDevice.objects.filter(user=caseworker).exists()


@override_settings(OTP_REQUIRED=True)
def test_each_attempt_has_its_own_secret_seen_by_one_session_only(caseworker: User) -> None:
    code = issue(caseworker)
    first = logged_in(caseworker)
    redeem(first, code)
    first_page = first.get(reverse(ENROLL))
    first_secret = first_page.context["secret"]
    # A reload in the same session keeps the attempt (the app may already have the secret).
    assert first.get(reverse(ENROLL)).context["secret"] == first_secret

    # Someone else with the password: no secret, neither this session's nor a new one.
    thief = logged_in(caseworker)
    thief_page = thief.get(reverse(ENROLL)).content.decode()
    assert first_secret not in thief_page and "otp-secret" not in thief_page

    # A second session with the code starts a new attempt with a new secret; the first
    # attempt's device is gone, so the first session starts over with yet another secret.
    second = logged_in(caseworker)
    redeem(second, code)
    second_secret = second.get(reverse(ENROLL)).context["secret"]
    assert second_secret != first_secret
    assert first_secret not in second.get(reverse(ENROLL)).content.decode()
    restarted = first.get(reverse(ENROLL)).context["secret"]
    assert restarted not in {first_secret, second_secret}
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1


@override_settings(OTP_REQUIRED=True)
def test_a_confirmation_from_an_older_attempt_fails(caseworker: User) -> None:
    code = issue(caseworker)
    client = logged_in(caseworker)
    redeem(client, code)
    client.get(reverse(ENROLL))
    old = TOTPDevice.objects.get(user=caseworker)
    other = logged_in(caseworker)
    redeem(other, code)
    other.get(reverse(ENROLL))  # a new attempt: the old device is removed
    response = client.post(reverse(ENROLL), {"token": the_code(old)})
    assert response.status_code == 400
    assert second_factor.totp_device_for(caseworker) is None


@override_settings(OTP_REQUIRED=True)
def test_five_wrong_activation_codes_void_the_code(caseworker: User) -> None:
    code = issue(caseworker)
    client = logged_in(caseworker)
    wrong = "2" * len(code) if code != "2" * len(code) else "3" * len(code)
    for _ in range(second_factor.ACTIVATION_MAX_FAILED_ATTEMPTS):
        assert redeem(client, wrong).status_code == 400
    activation = SecondFactorActivation.objects.get(user=caseworker)
    assert activation.voided_at is not None
    assert activation.failed_attempts == second_factor.ACTIVATION_MAX_FAILED_ATTEMPTS
    response = redeem(client, code)
    assert response.status_code == 400
    assert "otp-secret" not in client.get(reverse(ENROLL)).content.decode()


@override_settings(OTP_REQUIRED=True)
def test_an_activation_that_expires_during_enrolment_cannot_be_confirmed(
    caseworker: User, frozen_wednesday
) -> None:
    code = issue(caseworker)
    frozen_wednesday.shift(timedelta(hours=23, minutes=55))
    client = logged_in(caseworker)
    redeem(client, code)
    client.get(reverse(ENROLL))
    device = TOTPDevice.objects.get(user=caseworker)
    frozen_wednesday.shift(timedelta(minutes=5))  # 24 hours after issuing
    response = client.post(reverse(ENROLL), {"token": the_code(device)})
    assert response.status_code == 302 and response["Location"].startswith(reverse(ENROLL))
    assert second_factor.totp_device_for(caseworker) is None
    assert "otp-secret" not in client.get(reverse(ENROLL)).content.decode()


# --- the services ---------------------------------------------------------------------------


def test_an_activation_code_is_ten_unambiguous_characters_and_only_its_hash_is_kept(
    caseworker: User, settings
) -> None:
    settings.OTP_ACTIVATION_HOURS = 2
    code = issue(caseworker)
    assert len(code) == 10 and set(code) <= set(second_factor.ACTIVATION_ALPHABET)
    assert not set(code) & set("01ILO")
    activation = SecondFactorActivation.objects.get(user=caseworker)
    assert activation.expires_at - activation.issued_at == timedelta(hours=2)
    stored = repr(SecondFactorActivation.objects.filter(pk=activation.pk).values().get())
    assert code not in stored and code.lower() not in stored
    assert issue(caseworker) != code


def test_issuing_a_new_code_voids_the_earlier_one(caseworker: User) -> None:
    first = issue(caseworker)
    second = issue(caseworker)
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=first) is None
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=second) is not None
    assert SecondFactorActivation.objects.filter(voided_at__isnull=False).count() == 1


def test_an_expired_code_is_refused(caseworker: User, frozen_wednesday) -> None:
    code = issue(caseworker)
    frozen_wednesday.shift(timedelta(hours=23, minutes=59))
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=code) is not None
    frozen_wednesday.shift(timedelta(minutes=1))
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=code) is None


def test_a_code_works_for_its_own_person_only(
    caseworker: User, make_staff: Callable[..., User], trelleborg: Municipality
) -> None:
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    code = issue(caseworker)
    assert second_factor.second_factor_activation_redeem(user=colleague, code=code) is None
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=code) is not None


def test_every_attempt_gets_a_new_secret_and_removes_the_unconfirmed_one(caseworker: User) -> None:
    issue(caseworker)
    activation = SecondFactorActivation.objects.get(user=caseworker)
    first = second_factor.totp_enrollment_start(user=caseworker, activation=activation)
    second = second_factor.totp_enrollment_start(user=caseworker, activation=activation)
    assert first.key != second.key
    assert list(TOTPDevice.objects.filter(user=caseworker)) == [second]


def test_no_code_for_an_applicant_or_a_person_who_has_an_app(
    caseworker: User, applicant: User
) -> None:
    with pytest.raises(second_factor.ActivationRefused):
        issue(applicant)
    TOTPDevice.objects.create(user=caseworker, name="app", confirmed=True)
    with pytest.raises(second_factor.ActivationRefused):
        issue(caseworker)
    assert not SecondFactorActivation.objects.exists()


# --- issuing: the admin action and the command ----------------------------------------------


def test_the_admin_action_shows_the_code_once_to_the_admin_who_issued_it(
    caseworker: User, admin_user: User, applicant: User
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "second_factor_activation_issue",
            "_selected_action": [caseworker.pk, applicant.pk],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    codes = CODE_SHAPE.findall(html)
    assert len(codes) == 1, html
    assert "e-legitimation" in html  # the applicant: refused, with the reason
    activation = SecondFactorActivation.objects.get()
    assert activation.user == caseworker and activation.issued_by == admin_user
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=codes[0])
    # Shown on that page only: not kept in a message for a later page or in a cookie.
    later = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert codes[0] not in later
    assert all(codes[0].replace("-", "") not in c.value for c in client.cookies.values())


def test_the_admin_lists_activations_read_only_and_never_shows_the_hash(
    caseworker: User, admin_user: User
) -> None:
    issue(caseworker, issued_by=admin_user)
    activation = SecondFactorActivation.objects.get()
    client = Client()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:accounts_secondfactoractivation_changelist"))
    assert listing.status_code == 200 and caseworker.username in listing.content.decode()
    page = client.get(reverse("admin:accounts_secondfactoractivation_change", args=[activation.pk]))
    assert page.status_code == 200 and activation.code_hash not in page.content.decode()
    assert client.get(reverse("admin:accounts_secondfactoractivation_add")).status_code == 403


def test_the_command_prints_a_code(caseworker: User, applicant: User, capsys) -> None:
    call_command("second_factor_activation", caseworker.username)
    printed = capsys.readouterr().out
    (code,) = CODE_SHAPE.findall(printed)
    activation = SecondFactorActivation.objects.get(user=caseworker)
    assert activation.issued_by is None
    assert second_factor.second_factor_activation_redeem(user=caseworker, code=code) == activation
    with pytest.raises(CommandError):
        call_command("second_factor_activation", "nobody")
    with pytest.raises(CommandError):
        call_command("second_factor_activation", applicant.username)


def test_no_activation_code_or_secret_reaches_the_logs(
    caseworker: User, admin_user: User, caplog: pytest.LogCaptureFixture, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = Client()
    admin.force_login(admin_user)
    page = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "second_factor_activation_issue", "_selected_action": [caseworker.pk]},
    )
    codes = CODE_SHAPE.findall(page.content.decode())
    call_command("second_factor_activation", caseworker.username)
    codes += CODE_SHAPE.findall(capsys.readouterr().out)
    assert len(codes) == 2
    client = logged_in(caseworker)
    assert redeem(client, codes[0]).status_code == 400  # voided by the second
    assert redeem(client, codes[1]).status_code == 302
    secret = client.get(reverse(ENROLL)).context["secret"]
    device = TOTPDevice.objects.get(user=caseworker)
    assert client.post(reverse(ENROLL), {"token": the_code(device)}).status_code == 302

    events = {record.getMessage() for record in caplog.records}
    assert {
        "security.second_factor_activation_issued",
        "security.second_factor_enrolled",
    } <= events
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records).lower()
    for value in (*codes, *(c.replace("-", "") for c in codes), secret, device.key):
        assert value.lower() not in logged
