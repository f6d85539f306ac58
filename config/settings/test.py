import os

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
Q_CLUSTER["sync"] = True  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
if not env.str("DATABASE_URL", default=""):
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405  (a clean clone has no var/ yet)
    # A file database (not :memory:) so that concurrency tests can open real second connections.
    # One file per test process so that parallel runs never share (and delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Threads of the live server and concurrency tests must not keep connections open past the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
