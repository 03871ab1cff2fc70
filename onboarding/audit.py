"""The audit log's write side: one call in each view that shows a person's writing to someone else.

`audit_read(request, subject=..., obj=...)` records that the viewer read SUBJECT's writing (a
submission, a mentee page, an item page, an export). Reading your own writing is not recorded.
Services that change a person's enrollment record their own events (`audit_record`).
"""

from django.db import models
from django.http import HttpRequest

from accounts.models import User

from .models import AuditAction, AuditEvent


def _id_of(value: User | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.pk


def audit_record(
    *,
    actor: User | int | None,
    action: AuditAction | str,
    subject: User | int | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: int | str = "",
    detail: str = "",
) -> AuditEvent:
    """Add one event. Ids only (the detail names states or ids, never a person's words)."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or obj.pk
    return AuditEvent.objects.create(
        actor_id=_id_of(actor),
        action=AuditAction(action),
        subject_id=_id_of(subject),
        object_type=object_type[:40],
        object_id=str(object_id)[:40],
        detail=detail[:200],
    )


def audit_read(
    request: HttpRequest,
    *,
    subject: User | int,
    obj: models.Model | None = None,
    object_type: str = "",
    action: AuditAction | str = AuditAction.READ,
) -> AuditEvent | None:
    """Record that the signed-in viewer read SUBJECT's writing, unless they are SUBJECT.

    One INSERT per page view by someone else (a mentor, a program admin); nothing for the hire
    reading their own pages.
    """
    viewer = request.user
    if not viewer.is_authenticated or viewer.pk == _id_of(subject):
        return None
    return audit_record(
        actor=viewer.pk,
        action=action,
        subject=subject,
        obj=obj,
        object_type=object_type,
    )
