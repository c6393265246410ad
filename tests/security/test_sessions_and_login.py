"""T05/T07–T10, T19, T04: sessions (idle and absolute timeouts with a warning, ending on
disable/role change/stamp), staff lockout, the TOTP second factor, rate limits, open redirects."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp

from accounts.models import Role, User
from accounts.second_factor import second_factor_activation_issue, totp_device_for
from accounts.security import LOCAL_COUNTERS, user_sessions_end
from tests.builders import client_for
from tests.conftest import PASSWORD
from tests.security.conftest import World

CASE = "caseworker:case_detail"


def case_url(world: World) -> str:
    return reverse(CASE, args=[world.application.pk])


def staff_login(client: Client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(
        reverse("accounts:staff_login"), {"username": username, "password": password, **extra}
    )


# --- sessions -------------------------------------------------------------------------------


def test_the_session_key_changes_at_login_and_the_old_cookie_is_dead_after_logout(
    world: World,
) -> None:
    client = Client()
    client.get(reverse("accounts:staff_login"))
    client.session.save()
    before = client.session.session_key
    assert staff_login(client, world.caseworker.username).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = after
    assert replay.get(case_url(world)).status_code == 302


def test_logout_clears_site_data(world: World) -> None:
    response = client_for(world.owner).post(reverse("accounts:logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_idle_warning_extend_and_timeout(world: World, frozen_wednesday) -> None:
    client = client_for(world.caseworker)
    html = client.get(case_url(world)).content.decode()
    assert 'id="session-warning"' in html and 'data-warn-after="1680"' in html
    assert reverse("accounts:session_extend") in html
    frozen_wednesday.shift(timedelta(minutes=29))
    response = client.post(reverse("accounts:session_extend"), {"next": case_url(world)})
    assert response.status_code == 302 and response["Location"] == case_url(world)
    frozen_wednesday.shift(timedelta(minutes=29))
    assert client.get(case_url(world)).status_code == 200  # extended: 58 min after login
    frozen_wednesday.shift(timedelta(minutes=31))
    response = client.get(case_url(world))
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_the_absolute_lifetime_ends_an_active_session(world: World, frozen_wednesday) -> None:
    client = client_for(world.owner)
    url = reverse("intake:application_detail", args=[world.application.pk])
    for _ in range(16):  # active every 29 minutes: 7 h 44 min
        frozen_wednesday.shift(timedelta(minutes=29))
        assert client.get(url).status_code == 200
    frozen_wednesday.shift(timedelta(minutes=20))  # 8 h 4 min after login
    response = client.get(url)
    assert response.status_code == 302 and "e-legitimation" in response["Location"]
    assert client_for(world.owner).get(url).status_code == 200  # a fresh login works


@pytest.mark.parametrize(
    "change",
    [
        lambda u: setattr(u, "is_active", False),
        lambda u: setattr(u, "role", Role.SECRETARY),
        lambda u: user_sessions_end(user=u),
    ],
    ids=["disabled", "role_changed", "log_out_everywhere"],
)
def test_disabling_changing_role_or_ending_sessions_logs_out_every_session(
    world: World, change
) -> None:
    user = world.caseworker
    first, second = client_for(user), client_for(user)
    assert first.get(case_url(world)).status_code == 200
    user = User.objects.get(pk=user.pk)
    change(user)
    user.save()
    assert first.get(case_url(world)).status_code == 302
    partial = second.get(
        reverse("caseworker:case_journal", args=[world.application.pk]),
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 302 and "logga-in" in partial["Location"]


# --- staff lockout (django-axes) ------------------------------------------------------------


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=10)
def test_brute_force_on_the_staff_login_locks_it(world: World, frozen_wednesday) -> None:
    client = Client()
    for _ in range(9):
        assert staff_login(client, world.caseworker.username, "wrong").status_code == 200
    assert staff_login(client, world.caseworker.username, "wrong").status_code == 429  # 10th
    locked = staff_login(client, world.caseworker.username)  # even the right password
    assert locked.status_code == 429
    assert "spärrad" in locked.content.decode()
    frozen_wednesday.shift(timedelta(minutes=59))
    assert staff_login(client, world.caseworker.username).status_code == 429
    # Each attempt while locked starts the hour again.
    frozen_wednesday.shift(timedelta(minutes=59))
    assert staff_login(client, world.caseworker.username).status_code == 429
    frozen_wednesday.shift(timedelta(minutes=61))
    assert staff_login(client, world.caseworker.username).status_code == 302


# --- second factor --------------------------------------------------------------------------


@override_settings(OTP_REQUIRED=True)
def test_staff_must_enrol_and_confirm_a_totp_code(world: World, frozen_wednesday) -> None:
    client = Client()
    assert staff_login(client, world.caseworker.username).status_code == 302
    # Nothing but the code pages until the login is confirmed (page and partial).
    response = client.get(case_url(world))
    assert response.status_code == 302 and "engangskod" in response["Location"]
    partial = client.get(case_url(world), headers={"HX-Request": "true"})
    assert partial.status_code == 204 and "engangskod" in partial["HX-Redirect"]
    # The password alone shows no secret: enrolling needs the activation code from an admin.
    enroll = client.get(reverse("accounts:otp_enroll"))
    assert enroll.status_code == 200
    assert "data:image/svg+xml" not in enroll.content.decode()
    code = second_factor_activation_issue(user=world.caseworker, issued_by=world.outsiders["admin"])
    redeemed = client.post(reverse("accounts:otp_enroll"), {"code": code})
    assert redeemed.status_code == 302
    enroll = client.get(reverse("accounts:otp_enroll"))
    assert enroll.status_code == 200
    assert "data:image/svg+xml" in enroll.content.decode()
    device = world.caseworker.totpdevice_set.get(confirmed=False)
    assert client.post(reverse("accounts:otp_enroll"), {"token": "000000"}).status_code == 400
    frozen_wednesday.shift(timedelta(seconds=31))  # past django-otp's throttle and the time step
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("accounts:otp_enroll"), {"token": code, "next": case_url(world)})
    assert response.status_code == 302 and response["Location"] == case_url(world)
    assert client.get(case_url(world)).status_code == 200
    assert totp_device_for(world.caseworker) is not None

    # The next login asks for a code again.
    again = Client()
    staff_login(again, world.caseworker.username)
    assert again.get(case_url(world)).status_code == 302
    assert again.post(reverse("accounts:otp_verify"), {"token": "123456"}).status_code == 400


@override_settings(OTP_REQUIRED=True)
def test_applicants_are_not_asked_for_a_totp_code(world: World) -> None:
    url = reverse("intake:application_detail", args=[world.application.pk])
    assert client_for(world.owner).get(url).status_code == 200


# --- rate limits ----------------------------------------------------------------------------


@override_settings(RATE_LIMITS_ENABLED=True)
def test_the_staff_login_is_rate_limited_per_address(world: World) -> None:
    cache.clear()
    client = Client()
    statuses = [staff_login(client, "nobody", "x").status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


@override_settings(RATE_LIMITS_ENABLED=True)
def test_e_id_start_is_rate_limited(db: None) -> None:
    cache.clear()
    client = Client()
    statuses = [
        client.post(reverse("accounts:eid_login"), {"personnummer": "x"}).status_code
        for _ in range(21)
    ]
    assert 429 not in statuses[:20] and statuses[20] == 429


@override_settings(RATE_LIMITS_ENABLED=True)
def test_submit_and_upload_are_rate_limited_per_person(world: World, make_draft) -> None:
    cache.clear()
    draft = make_draft(world.outsiders["other_applicant"])
    client = client_for(world.outsiders["other_applicant"])
    url = reverse("intake:step_review", args=[draft.pk])
    statuses = [client.post(url, {}).status_code for _ in range(11)]
    assert 429 not in statuses[:10] and statuses[10] == 429
    upload = reverse("intake:step_attachments", args=[draft.pk])
    statuses = [client.post(upload, {}).status_code for _ in range(31)]
    assert 429 not in statuses[:30] and statuses[30] == 429


@override_settings(RATE_LIMITS_ENABLED=True)
def test_when_the_cache_is_down_logins_and_submits_still_work_and_are_still_limited(
    world: World, make_draft, caplog
) -> None:
    """A Redis outage became a login outage (every login 429, #14 item 7). Now each process
    counts on its own while the cache is away: people get in, guessing is still capped, and the
    degradation is logged."""
    LOCAL_COUNTERS.clear()
    draft = make_draft(world.outsiders["other_applicant"])
    client = client_for(world.outsiders["other_applicant"])
    with mock.patch(
        "django_ratelimit.core.get_usage", side_effect=ConnectionError("redis is down")
    ):
        review = client.post(reverse("intake:step_review", args=[draft.pk]), {})
        assert review.status_code != 429
        first = staff_login(Client(), world.caseworker.username)
        assert first.status_code == 302  # logged in
        assert (
            Client().post(reverse("accounts:eid_login"), {"personnummer": "x"}).status_code == 200
        )
        statuses = [staff_login(Client(), "nobody", "x").status_code for _ in range(20)]
    assert statuses[:19] == [200] * 19 and statuses[19] == 429
    assert "security.ratelimit_degraded" in caplog.text


# --- behind the TLS proxy: limits per client address and per account (#14 items 4, 6) -----

PROXY = "10.0.0.5"


def _via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@override_settings(RATE_LIMITS_ENABLED=True, TRUSTED_PROXY_IPS=[PROXY])
def test_behind_the_proxy_one_attacker_does_not_block_everyone_elses_login(world: World) -> None:
    attacker = _via_proxy("198.51.100.66")
    statuses = [staff_login(attacker, f"guess{i}", "x").status_code for i in range(21)]
    assert statuses[20] == 429
    # Everyone else comes through the same proxy address, from their own.
    assert staff_login(_via_proxy("198.51.100.7"), world.caseworker.username).status_code == 302


@override_settings(RATE_LIMITS_ENABLED=True)
def test_a_forged_forwarded_for_does_not_escape_the_limit(world: World) -> None:
    """No proxy is trusted here, so the header is the client's own words and ignored."""
    statuses = [
        Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        .post(reverse("accounts:staff_login"), {"username": f"u{i}", "password": "x"})
        .status_code
        for i in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


@override_settings(RATE_LIMITS_ENABLED=True, TRUSTED_PROXY_IPS=[PROXY])
def test_guessing_one_account_from_many_addresses_is_capped_per_account(world: World) -> None:
    name = world.caseworker.username
    statuses = [
        staff_login(_via_proxy(f"198.51.100.{i}"), name, "wrong").status_code for i in range(51)
    ]
    assert 429 not in statuses[:50] and statuses[50] == 429
    # Another account from one of those addresses is not affected.
    other = world.outsiders["svedala_team_lead"].username
    assert staff_login(_via_proxy("198.51.100.1"), other).status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=10, TRUSTED_PROXY_IPS=[PROXY])
def test_ten_wrong_passwords_lock_the_guessers_address_not_the_caseworker_everywhere(
    world: World,
) -> None:
    name = world.caseworker.username
    attacker = _via_proxy("198.51.100.66")
    for _ in range(10):
        staff_login(attacker, name, "wrong")
    assert staff_login(attacker, name).status_code == 429  # locked: even the right password
    assert staff_login(_via_proxy("198.51.100.7"), name).status_code == 302


# --- open redirects -------------------------------------------------------------------------

EVIL = ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leads_to_another_site(world: World, target: str) -> None:
    def assert_local(response) -> None:
        location = response.get("Location", "")
        assert "evil.example" not in location, location

    assert_local(staff_login(Client(), world.caseworker.username, next=target))
    with override_settings(OTP_REQUIRED=True):
        client = Client()
        staff_login(client, world.caseworker.username)
        assert_local(client.get(reverse("accounts:otp_verify"), {"next": target}))
    assert_local(client_for(world.owner).post(reverse("accounts:session_extend"), {"next": target}))
    assert_local(Client().post(reverse("set_language"), {"language": "en", "next": target}))
    eid = Client().post(
        reverse("accounts:eid_login") + f"?next={target}", {"personnummer": "200306062381"}
    )
    assert_local(eid)
    # Logged-in people on the login page are sent home, not to `next`.
    assert_local(
        client_for(world.caseworker).get(reverse("accounts:staff_login"), {"next": target})
    )


@override_settings(RATE_LIMITS_ENABLED=True)
def test_the_oidc_e_id_start_is_rate_limited_on_get(db: None) -> None:
    cache.clear()
    client = Client()
    statuses = [client.get(reverse("accounts:oidc_start")).status_code for _ in range(21)]
    assert 429 not in statuses[:20] and statuses[20] == 429
