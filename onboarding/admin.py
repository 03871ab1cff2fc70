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


# --- Program admin (issue 8): enrollments, cohorts, the audit log, erasing people -----------------
# The fallback to the /manage/ pages: every change goes through the same services, which check
# the program-admin role again.

from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402

from .models import AuditEvent, Cohort, Enrollment, EnrollmentStateChange, Person  # noqa: E402
from .services import people as people_services  # noqa: E402
from .services import privacy as privacy_services  # noqa: E402


def _is_program_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or user.is_program_admin))  # type: ignore[union-attr]


class _ProgramAdminOnly(_ReadOnly):
    """Read-only rows, visible to program admins; changes go through actions (services)."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _is_program_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_program_admin(request)


def _run_each(modeladmin, request, queryset, write, done: str) -> None:
    changed, refused = 0, []
    for obj in queryset:
        try:
            write(obj)
        except (ValidationError, PermissionDenied) as error:
            messages_of = getattr(error, "messages", [str(error)])
            refused.append(f"{obj.pk}: {' '.join(messages_of)}")
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, f"{done}: {changed}.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, "Refused — " + "; ".join(refused), messages.ERROR)


def _state_action(action: str, label: str):
    def run(modeladmin, request, queryset):
        _run_each(
            modeladmin,
            request,
            queryset,
            lambda e: people_services.enrollment_state_change(
                enrollment=e, action=action, by=request.user
            ),
            label,
        )

    run.__name__ = f"enrollments_{action}"
    return admin.action(description=f"{label} the selected enrollments")(run)


@admin.register(Enrollment)
class EnrollmentAdmin(_ProgramAdminOnly):
    list_display = ["pk", "hire", "program", "version", "mentor", "cohort", "state", "start_date"]
    list_filter = ["state", "cohort", "program"]
    list_select_related = ["hire", "program", "version__program", "mentor", "cohort"]
    search_fields = ["hire__email", "hire__display_name"]
    actions = [
        _state_action("pause", "Pause"),
        _state_action("resume", "Resume"),
        _state_action("finish", "Finish"),
        _state_action("withdraw", "Withdraw"),
        "anonymise",
    ]

    @admin.action(description="Remove the hire's writing from the selected enrollments")
    def anonymise(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda e: privacy_services.enrollment_anonymise(
                enrollment=e, by=request.user, reason="erasure"
            ),
            "Anonymised",
        )


@admin.register(Cohort)
class CohortAdmin(_ProgramAdminOnly):
    list_display = ["name", "start_date", "pace"]


@admin.register(EnrollmentStateChange)
class EnrollmentStateChangeAdmin(_ProgramAdminOnly):
    list_display = ["enrollment", "from_state", "to_state", "by", "at"]
    list_select_related = ["by"]


@admin.register(AuditEvent)
class AuditEventAdmin(_ProgramAdminOnly):
    list_display = ["at", "actor", "action", "subject", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "subject"]
    search_fields = ["=subject__id", "=actor__id"]


@admin.register(Person)
class PersonAdmin(_ProgramAdminOnly):
    """People, for the privacy action: erase (writing, name and email gone; numbers kept)."""

    list_display = ["pk", "email", "display_name", "is_hire", "is_mentor", "is_active"]
    search_fields = ["email", "display_name"]
    fields = ["email", "display_name", "is_hire", "is_mentor", "is_program_admin", "is_active"]
    actions = ["erase"]

    @admin.action(description="Erase the selected people (cannot be undone)")
    def erase(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda person: privacy_services.person_erase(person=person, by=request.user),
            "Erased",
        )
