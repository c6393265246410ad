"""E-mail over SMTP with STARTTLS that verifies the relay (#19 item 4).

Django's SMTP backend, with two things a municipality's relay needs: the relay's certificate is
verified against the system's authorities or, when the municipality runs its own, the one in
`EMAIL_CA_FILE`; and STARTTLS is required (a relay that does not offer it gets no message: the
notice is retried and falls back to the next channel, as any failed send).
"""

from __future__ import annotations

import ssl
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend


class VerifiedSmtpBackend(EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.use_tls and not self.use_ssl:
            raise ValueError("E-mail to applicants goes over TLS only: set EMAIL_USE_TLS.")

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=getattr(settings, "EMAIL_CA_FILE", "") or None)
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context
