"""The production guard's tests (test_checks*.py) switch DEBUG off with the test settings."""

from __future__ import annotations

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def _real_scanner(settings: LazySettings) -> None:
    """The test settings scan with NoScanner (a stand-in, bistand.E008 with DEBUG off); the
    tests here are about the other adapters unless they say otherwise."""
    settings.ATTACHMENT_SCAN_BACKEND = "intake.documents.scanning.ClamdScanner"
