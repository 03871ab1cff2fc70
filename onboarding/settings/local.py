"""A developer's laptop: DEBUG on, PostgreSQL and Redis when configured, else SQLite and eager tasks."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CURRICULUM_WEB_ALLOWS_FILE_GIT_URLS = True  # a laptop: local repositories are yours
