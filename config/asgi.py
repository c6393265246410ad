"""ASGI entry point. Production settings unless DJANGO_SETTINGS_MODULE says otherwise; an unsafe
configuration stops the process here, before the first request."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

from config.startup import refuse_unsafe_configuration  # noqa: E402 - needs Django set up

refuse_unsafe_configuration("web server")
