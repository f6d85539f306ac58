"""Settings for `make run`: production code paths (gunicorn, WhiteNoise manifest) served over plain HTTP
on the local machine, where TLS is terminated elsewhere or not at all."""

from .base import env
from .prod import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
