"""Django admin for the onboarding app: the completion policy (edited through its service) and
read-only views of meeting requests and version moves."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.permissions import is_program_admin

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
        return is_program_admin(request.user)

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
from .services import cohorts as cohort_services  # noqa: E402
from .services import people as people_services  # noqa: E402
from .services import privacy as privacy_services  # noqa: E402


class _ProgramAdminOnly(_ReadOnly):
    """Read-only rows, visible to program admins; changes go through actions (services)."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_program_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_program_admin(request.user)


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


# --- intermediate pages: mentor, cohort and start date, move to the current version ---------------

from django import forms  # noqa: E402
from django.contrib.admin import helpers  # noqa: E402
from django.db import transaction  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402

from accounts.models import User  # noqa: E402
from curriculum.models import ProgramVersion  # noqa: E402
from curriculum.selectors import program_published_version  # noqa: E402

from .forms import EnrollmentMentorForm, EnrollmentScheduleForm  # noqa: E402
from .models import EnrollmentState  # noqa: E402
from .selectors import people as people_selectors  # noqa: E402

_APPLY = "apply"  # the intermediate page's submit button; absent on the changelist's first post


def _intermediate(modeladmin, request, queryset, *, template: str, title: str, **context):
    """An admin page between choosing the action and running it: the selected rows go along as
    hidden `_selected_action` fields, so the second post comes back to the same action."""
    return TemplateResponse(
        request,
        f"admin/onboarding/{template}",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "apply": _APPLY,
            **context,
        },
    )


def _refusal(enrollment: Enrollment, error: ValidationError | PermissionDenied) -> str:
    said = getattr(error, "messages", None) or [str(error)]
    return f"Enrollment {enrollment.pk} ({enrollment.hire.name}): {' '.join(said)} Nothing was changed."


def _mentors() -> list[User]:
    # The same people the /manage/ enrollment page offers (`selectors.people.enrollment_page`);
    # the service refuses a hire as their own mentor, naming the enrollment.
    return list(
        User.objects.filter(is_mentor=True, is_active=True).order_by("display_name", "email")[:500]
    )


class _MoveConfirmForm(forms.Form):
    # The target versions the admin saw; if one is published meanwhile, the preview is shown again.
    versions = forms.CharField(widget=forms.HiddenInput, required=False)


def _move_plan(enrollments: list[Enrollment]):
    """Each selected enrollment's program's published version, the previews of moving there
    (`selectors.people.move_previews`, grouped by version), and those that stay, with why."""
    targets: dict[int, ProgramVersion | None] = {}
    groups: dict[int, list[Enrollment]] = {}
    skipped: list[tuple[Enrollment, str]] = []
    for enrollment in enrollments:
        if enrollment.program_id not in targets:
            targets[enrollment.program_id] = program_published_version(program=enrollment.program)
        target = targets[enrollment.program_id]
        if target is None:
            skipped.append((enrollment, "its program has no published version"))
        elif enrollment.version.number >= target.number:
            skipped.append((enrollment, f"already on version {enrollment.version.number}"))
        elif enrollment.state not in (EnrollmentState.ACTIVE, EnrollmentState.PAUSED):
            skipped.append(
                (enrollment, f"{enrollment.get_state_display().lower()} enrollments stay put")
            )
        else:
            groups.setdefault(target.pk, []).append(enrollment)
    versions = {v.pk: v for v in targets.values() if v is not None}
    plan = [
        (versions[pk], people_selectors.move_previews(enrollments=group, version=versions[pk]))
        for pk, group in sorted(groups.items())
    ]
    signature = ",".join(str(pk) for pk in sorted(groups))
    return plan, skipped, signature


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
        "assign_mentor",
        "set_schedule",
        "move_to_current_version",
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

    @admin.action(description="Assign a mentor to the selected enrollments")
    def assign_mentor(self, request, queryset):
        """Choose the mentor, then `people.enrollment_mentor_set` (which is
        `mentoring.mentor_assign`, history kept, plus the audit event) for each, all or none."""
        enrollments = list(queryset.select_related("hire", "mentor"))
        mentors = _mentors()
        form = EnrollmentMentorForm(
            request.POST if _APPLY in request.POST else None, mentors=mentors
        )
        if form.is_valid():
            mentor = next(m for m in mentors if m.pk == form.cleaned_data["mentor"])
            try:
                with transaction.atomic():
                    for enrollment in enrollments:
                        try:
                            people_services.enrollment_mentor_set(
                                enrollment=enrollment, mentor=mentor, by=request.user
                            )
                        except (ValidationError, PermissionDenied) as error:
                            raise ValidationError(_refusal(enrollment, error)) from error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"{mentor.name} now mentors {len(enrollments)} "
                    f"enrollment{'s' if len(enrollments) != 1 else ''}.",
                    messages.SUCCESS,
                )
                return None
        return _intermediate(
            self,
            request,
            enrollments,
            template="enrollment_mentor.html",
            title="Assign a mentor",
            form=form,
        )

    @admin.action(description="Set cohort and start date of the selected enrollments")
    def set_schedule(self, request, queryset):
        """Choose a cohort (or none) and a start date, then `people.enrollment_schedule_set`
        (what the /manage/ enrollment page calls) for each, all or none."""
        enrollments = list(queryset.select_related("hire", "cohort"))
        cohorts = list(people_selectors.cohorts_for_admin(user=request.user))
        form = EnrollmentScheduleForm(
            request.POST if _APPLY in request.POST else None, cohorts=cohorts
        )
        if form.is_valid():
            cohort = form.cohorts.get(form.cleaned_data["cohort"] or 0)
            try:
                with transaction.atomic():
                    for enrollment in enrollments:
                        try:
                            people_services.enrollment_schedule_set(
                                enrollment=enrollment,
                                by=request.user,
                                cohort=cohort,
                                start_date=form.cleaned_data["start_date"],
                            )
                        except (ValidationError, PermissionDenied) as error:
                            raise ValidationError(_refusal(enrollment, error)) from error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    f"Cohort and start date set on {len(enrollments)} "
                    f"enrollment{'s' if len(enrollments) != 1 else ''}.",
                    messages.SUCCESS,
                )
                return None
        return _intermediate(
            self,
            request,
            enrollments,
            template="enrollment_schedule.html",
            title="Set cohort and start date",
            form=form,
        )

    @admin.action(description="Move the selected enrollments to their program's current version")
    def move_to_current_version(self, request, queryset):
        """Preview what changes for each hire (`selectors.people.move_previews`), then
        `people.enrollments_move_to_version` (`journey.enrollment_move_to_version` for each,
        audited), all or none. Finished, withdrawn and up-to-date enrollments are left alone."""
        enrollments = list(
            queryset.select_related("hire", "program", "version").order_by(
                "hire__display_name", "pk"
            )
        )
        plan, skipped, signature = _move_plan(enrollments)
        form = _MoveConfirmForm(
            request.POST if _APPLY in request.POST else None, initial={"versions": signature}
        )
        if form.is_valid() and plan:
            if form.cleaned_data["versions"] != signature:
                self.message_user(
                    request,
                    "A newer version was published since the preview; check the changes again.",
                    messages.WARNING,
                )
                form = _MoveConfirmForm(initial={"versions": signature})
            else:
                try:
                    with transaction.atomic():
                        moved = sum(
                            len(
                                people_services.enrollments_move_to_version(
                                    enrollments=[p.enrollment for p in previews],
                                    version=version,
                                    by=request.user,
                                )
                            )
                            for version, previews in plan
                        )
                except (ValidationError, PermissionDenied) as error:
                    form.add_error(None, getattr(error, "messages", None) or [str(error)])
                else:
                    self.message_user(
                        request,
                        f"Moved {moved} hire{'s' if moved != 1 else ''} to their program's "
                        "current version.",
                        messages.SUCCESS,
                    )
                    if skipped:
                        self.message_user(
                            request,
                            "Left as they were: "
                            + "; ".join(f"{e.hire.name} ({why})" for e, why in skipped),
                            messages.INFO,
                        )
                    return None
        return _intermediate(
            self,
            request,
            enrollments,
            template="enrollment_move.html",
            title="Move to the current version",
            form=form,
            plan=plan,
            skipped=skipped,
        )


class CohortAdminForm(forms.ModelForm):
    """The service's own checks (a program admin, a unique name ignoring case, the pace) run
    in `clean()`, so they show as errors on this form; saving then calls the service."""

    by: User | None = None  # set per request by `CohortAdmin.get_form`

    class Meta:
        model = Cohort
        fields = ["name", "start_date", "pace"]

    def clean(self) -> dict:
        data = super().clean()
        if self.by is not None and not self.errors:
            try:
                cohort_services.cohort_check(
                    name=data["name"],
                    pace=data["pace"],
                    by=self.by,
                    cohort=self.instance if self.instance.pk else None,
                )
            except (ValidationError, PermissionDenied) as error:
                raise ValidationError(getattr(error, "messages", None) or [str(error)]) from None
        return data


@admin.register(Cohort)
class CohortAdmin(_ProgramAdminOnly):
    """Cohorts are created and changed through `services.cohorts`, as on /manage/."""

    list_display = ["name", "start_date", "pace"]
    form = CohortAdminForm
    fields = ["name", "start_date", "pace"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_program_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_program_admin(request.user)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        values = {key: form.cleaned_data[key] for key in ("name", "start_date", "pace")}
        if change:
            saved = cohort_services.cohort_update(cohort=obj, by=request.user, **values)
        else:
            saved = cohort_services.cohort_create(by=request.user, **values)
        obj.pk = saved.pk  # the admin's messages and redirect use the saved row


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
