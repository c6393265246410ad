"""Typed requests, for annotations only (django-stubs' "typed HttpRequest" recipe).

Django gives every view an `HttpRequest` whose `user` is `User | AnonymousUser`. A view behind
`accounts.permissions.role_required` (or the admin site, which only staff reach) is never
anonymous, so it annotates its request as `AuthenticatedHttpRequest` and reads `request.user` as
a `User`. `htmx` is set on every request by django_htmx's middleware (config.settings.base).
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User


# A database id as it may come in a form: ASCII digits only. str.isdigit() also says yes to "²"
# and "٣", which int() refuses or reads, and an empty value is no id (tests/test_form_fuzz.py).
ASCII_ID = re.compile(r"[0-9]{1,18}")
