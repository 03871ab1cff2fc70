"""The test suite: always the real PostgreSQL and Redis (docs/quality.md), never a silent SQLite."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "The tests run against PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding "
        "(bin/test does this for you)."
    )
if not REDIS_URL:
    raise ImproperlyConfigured("The tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/15")

DATABASES["default"]["CONN_MAX_AGE"] = 0
# Parallel runs on one machine (several developers, CI) each name their own test database: by
# default after the database DATABASE_URL names (onboarding -> test_onboarding).
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}")
}
# Each pytest-xdist worker is a run of its own: pytest-django gives it its own database (the
# name plus "_gw0"), and here it gets its own Celery queue and its own Redis.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    from tests.support.redis_server import worker_redis_url

    # A private redis-server, not a key prefix: a test that clears the cache flushes its whole
    # Redis database, broker queue included, which would lose another worker's tasks.
    REDIS_URL = worker_redis_url()
    os.environ["REDIS_URL"] = REDIS_URL  # the Celery workers the tests start inherit it
    CACHES["default"]["LOCATION"] = REDIS_URL
    CELERY_BROKER_URL = REDIS_URL
# ...and their own Celery queue, so one run's worker never takes another run's tasks.
CELERY_TASK_DEFAULT_QUEUE = "-".join(
    filter(None, ["q", DATABASES["default"]["TEST"]["NAME"], XDIST_WORKER])
)
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
