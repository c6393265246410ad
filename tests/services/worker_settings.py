"""Settings for the service tests' worker processes: the test settings, plus the knobs a fault
test turns per worker through the environment (the test settings pin them for the fast suite)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

REGISTER_FAKE_DELAY_MS = env.int("REGISTER_FAKE_DELAY_MS", default=0)
