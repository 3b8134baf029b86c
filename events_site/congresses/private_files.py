"""Storage for files only a permission-checked view hands out (``PRIVATE_MEDIA_ROOT``, outside
``MEDIA_URL``): a delegate's photo is shown to check-in staff, never published."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A file system storage whose root follows ``settings.PRIVATE_MEDIA_ROOT`` at each use (so
    tests and deployments may move it) and that has no public URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a checked view.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage
