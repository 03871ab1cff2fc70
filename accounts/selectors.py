"""Reads about people, scoped to what the viewer may see."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Invitation, User


def invitations_visible_to(*, viewer: User) -> QuerySet[Invitation]:
    """Program admins see every invitation; nobody else sees any."""
    if not (viewer.is_program_admin or viewer.is_superuser):
        return Invitation.objects.none()
    return Invitation.objects.select_related("invited_by", "user").order_by("-created_at")


def invitation_for_admin(*, viewer: User, invitation_id: int) -> Invitation:
    invitation = invitations_visible_to(viewer=viewer).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
