"""Django admin for the onboarding app: the completion policy (edited through its service) and
read-only views of meeting requests and version moves."""

from django.contrib import admin
from django.http import HttpRequest

from .models import CompletionPolicy, EnrollmentMove, MeetingRequest
from .services.journey import completion_policy_set


@admin.register(CompletionPolicy)
class CompletionPolicyAdmin(admin.ModelAdmin):
    """The UI for relaxing a program's completion rule (issue 4): one row per program."""

    list_display = ["program", "require_action_items", "require_reflection", "updated_by"]
    list_select_related = ["program", "updated_by"]
    fields = ["program", "require_action_items", "require_reflection"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["program"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user.is_program_admin))  # type: ignore[union-attr]

    has_add_permission = has_change_permission  # type: ignore[assignment]
    has_view_permission = has_change_permission
    has_module_permission = has_change_permission  # type: ignore[assignment]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # "back to strict" is unticking nothing: set both boxes instead

    def save_model(self, request: HttpRequest, obj: CompletionPolicy, form, change: bool) -> None:
        # Every write through the service, which checks the role again.
        saved = completion_policy_set(
            program=obj.program,
            by=request.user,  # type: ignore[arg-type]
            require_action_items=obj.require_action_items,
            require_reflection=obj.require_reflection,
        )
        obj.pk = saved.pk


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(MeetingRequest)
class MeetingRequestAdmin(_ReadOnly):
    list_display = ["enrollment", "item", "block_key", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["enrollment", "item"]


@admin.register(EnrollmentMove)
class EnrollmentMoveAdmin(_ReadOnly):
    list_display = ["enrollment", "from_version", "to_version", "moved_by", "moved_at"]
    list_select_related = ["enrollment", "from_version", "to_version", "moved_by"]
