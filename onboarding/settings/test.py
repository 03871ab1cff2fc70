"""The test suite: always the real PostgreSQL and Redis (QUALITY.md), never a silent SQLite."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "The tests run against PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding "
        "(bin/test does this for you)."
    )
if not REDIS_URL:
    raise ImproperlyConfigured("The tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/15")

DATABASES["default"]["CONN_MAX_AGE"] = 0
# Parallel runs on one machine (several developers, CI) each name their own test database.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_onboarding")}
# ...and their own Celery queue, so one run's worker never takes another run's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"q-{DATABASES['default']['TEST']['NAME']}"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks eagerly; tests about background work start a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CURRICULUM_WEB_ALLOWS_FILE_GIT_URLS = True  # tests clone a local bare repository
ANALYTICS_CACHE_SECONDS = 0  # tests read figures right after writing them (one test turns it on)
