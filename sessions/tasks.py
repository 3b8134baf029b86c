"""Agenda jobs for the task queue, by the names queued jobs carry. Each is defined beside the
service it calls (so services and tasks never import each other) and takes plain ids."""

from .services.change_notices import send_change_notices_task

__all__ = ["send_change_notices_task"]
