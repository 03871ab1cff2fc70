"""The program admin's pages for people: the hires list, CSV import, one enrollment, cohorts,
moving hires to a newer version, erasing a person, the audit log. Mounted at /manage/.

Thin: a selector from `selectors.people` reads (a 404 for anyone but a program admin), a form
checks shape, a service from `services.{people,cohorts,privacy}` writes.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User

from ..edge import parse_id, search_text
from ..forms import (
    CohortAssignForm,
    CohortForm,
    EnrollFieldsForm,
    EnrollmentMentorForm,
    EnrollmentScheduleForm,
    EnrollmentStateForm,
    EraseForm,
    HiresInviteForm,
    MoveForm,
    PeopleImportForm,
)
from ..models import EnrollmentState
from ..selectors import people as selectors
from ..services import cohorts as cohort_services
from ..services import invites, privacy
from ..services import people as services
from .refused import refused_redirect, refused_take


def _by(request: HttpRequest) -> User:
    # login_required ran first; the selectors have already refused anyone but a program admin.
    return cast(User, request.user)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every hire's enrollment: state, cohort, mentor, progress; filter and search."""
    board = selectors.people_board(
        user=request.user,
        cohort_id=parse_id(request.GET.get("cohort")),
        state=request.GET.get("state", "all"),
        query=search_text(request.GET.get("q")),
    )
    return render(
        request,
        "onboarding/manage/dashboard.html",
        {"board": board, "states": selectors.STATE_FILTERS, "section": "people"},
    )


# Problems a service found in a whole file or list (not one field's): kept beside the refused
# form, shown once on the page the person is sent back to.
_LIST_ERRORS = "refused-list:{}"


def _refused_with_list(request: HttpRequest, form, *, key: str, to: str, anchor: str, errors):
    request.session[_LIST_ERRORS.format(key)] = list(errors)
    return refused_redirect(request, form, key=key, to=to, anchor=anchor)


def _take_with_list(request: HttpRequest, *, key: str, build, revalidate: bool = True) -> tuple:
    errors = request.session.pop(_LIST_ERRORS.format(key), [])
    return refused_take(request, key=key, build=build, revalidate=revalidate), errors


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of hires and mentors: every row is checked, then all are imported or none.

    A refused file comes back here by GET (post/redirect/get) with the problems; the file
    itself cannot come back (a browser never refills a file input), the program choice does."""
    versions = selectors.published_versions(user=request.user)
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES, versions=versions)
        errors: list[str] = []
        if form.is_valid():
            program = form.programs.get(form.cleaned_data["program"] or 0)
            try:
                result = services.people_import(
                    data=form.cleaned_data["file"].read(), by=_by(request), program=program
                )
            except services.PeopleImportError as error:
                errors = error.errors
            else:
                already = f"; {result.existing} already had an account" if result.existing else ""
                messages.success(
                    request,
                    f"Imported {len(result.users)} people ({result.hires} hire"
                    f"{'s' if result.hires != 1 else ''} enrolled{already}); whoever has not "
                    "joined yet was sent an invitation.",
                )
                return redirect("manage:dashboard")
        return _refused_with_list(
            request,
            form,
            key="people-import",
            to=reverse("manage:import"),
            anchor="#import-form",
            errors=errors,
        )
    form, errors = _take_with_list(
        request,
        key="people-import",
        build=lambda data: PeopleImportForm(data, versions=versions),
        revalidate=False,  # the file cannot come back: not "required", the problems found
    )
    context = {
        "form": form or PeopleImportForm(versions=versions),
        "errors": errors,
        "section": "import",
    }
    return render(request, "onboarding/manage/import.html", context)


# --- invite = enroll ------------------------------------------------------------------------------


def _invited_message(invited: list[invites.Invited]) -> str:
    sent = sum(1 for one in invited if one.invitation is not None)
    enrolled = len(invited) - sent
    parts = []
    if sent:
        parts.append(f"{sent} invitation{'s' if sent != 1 else ''} sent")
    if enrolled:
        parts.append(f"{enrolled} already here, enrolled and told by email")
    version = invited[0].enrollment.version if invited else None
    where = f" into {version.program.title or version.program.slug}" if version else ""
    return f"{' and '.join(parts).capitalize()}{where}."


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """Invite many hires at once ("email, name" a line) into one program, with their mentor,
    co-mentor, cohort and start date; anyone already here is enrolled instead. A refusal comes
    back here by GET (post/redirect/get) with the typed list and its problems."""
    options = selectors.enroll_options(user=request.user)
    if request.method == "POST":
        form = HiresInviteForm(request.POST, options=options)
        errors: list[str] = []
        if form.is_valid():
            choice = form.enroll_choice()
            if choice is None:
                form.add_error("version", "Publish a program version first, then invite its hires.")
            else:
                try:
                    invited = invites.hires_invite(
                        text=form.cleaned_data["people"], choice=choice, by=_by(request)
                    )
                except invites.HireInviteError as error:
                    errors = error.errors
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _invited_message(invited))
                    return redirect("manage:dashboard")
        return _refused_with_list(
            request,
            form,
            key="hires-invite",
            to=reverse("manage:invite"),
            anchor="#invite-h",
            errors=errors,
        )
    form, errors = _take_with_list(
        request, key="hires-invite", build=lambda data: HiresInviteForm(data, options=options)
    )
    context = {
        "form": form or HiresInviteForm(options=options),
        "errors": errors,
        "section": "invite",
    }
    return render(request, "onboarding/manage/invite.html", context)


def _render_person(request: HttpRequest, person_id: int):
    page = selectors.person_page(user=request.user, person_id=person_id)
    options = selectors.enroll_options(user=request.user)
    form = refused_take(
        request,
        key=f"person-enroll:{person_id}",
        build=lambda data: EnrollFieldsForm(data, options=options),
    ) or EnrollFieldsForm(options=options)
    context = {"page": page, "person": page.person, "form": form, "section": "people"}
    return render(request, "onboarding/manage/person.html", context)


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their enrollments (or "Not enrolled"), their invitation, and enrolling them."""
    return _render_person(request, person_id)


@login_required
@require_POST
def person_enroll(request: HttpRequest, person_id: int) -> HttpResponse:
    """Enroll this person in a program's published version, with mentors, cohort and start."""
    person = selectors.person_for_admin(user=request.user, person_id=person_id)
    form = EnrollFieldsForm(request.POST, options=selectors.enroll_options(user=request.user))
    if form.is_valid():
        choice = form.enroll_choice()
        if choice is None:
            form.add_error("version", "Publish a program version first, then enroll them.")
        else:
            try:
                enrollment = invites.hire_enroll(hire=person, choice=choice, by=_by(request))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"{person.name} is enrolled in {choice.version.choice_label}, starting "
                    f"{enrollment.start_date:%-d %b %Y}.",
                )
                return redirect("manage:enrollment", enrollment_id=enrollment.pk)
    return refused_redirect(
        request,
        form,
        key=f"person-enroll:{person.pk}",
        to=reverse("manage:person", args=[person.pk]),
        anchor="#enroll",
    )


def _render_enrollment(request: HttpRequest, enrollment):
    page = selectors.enrollment_page(enrollment=enrollment)

    def refused(form_name: str, build):
        # A form this page refused a moment ago comes back once, with what was typed.
        return refused_take(request, key=f"enrollment-{form_name}:{enrollment.pk}", build=build)

    context = {
        "page": page,
        "enrollment": enrollment,
        "state_form": refused("state", EnrollmentStateForm) or EnrollmentStateForm(),
        "schedule_form": refused(
            "schedule", lambda data: EnrollmentScheduleForm(data, cohorts=page.cohorts)
        )
        or EnrollmentScheduleForm(
            cohorts=page.cohorts,
            initial={"cohort": enrollment.cohort_id, "start_date": enrollment.start_date},
        ),
        "mentor_form": refused(
            "mentor", lambda data: EnrollmentMentorForm(data, mentors=page.mentors)
        )
        or EnrollmentMentorForm(mentors=page.mentors, initial={"mentor": enrollment.mentor_id}),
        "section": "people",
    }
    return render(request, "onboarding/manage/enrollment.html", context)


def _enrollment_refused(request: HttpRequest, enrollment, form, form_name: str):
    return refused_redirect(
        request,
        form,
        key=f"enrollment-{form_name}:{enrollment.pk}",
        to=reverse("manage:enrollment", args=[enrollment.pk]),
        anchor=f"#{form_name}-h",
    )


@login_required
@require_GET
def enrollment_detail(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """One hire's enrollment: state, schedule, mentor, version, history and audit log."""
    enrollment = selectors.enrollment_for_admin(user=request.user, enrollment_id=enrollment_id)
    return _render_enrollment(request, enrollment)


@login_required
@require_POST
def enrollment_state(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Pause, resume, finish or withdraw."""
    enrollment = selectors.enrollment_for_admin(user=request.user, enrollment_id=enrollment_id)
    form = EnrollmentStateForm(request.POST)
    if form.is_valid():
        try:
            changed = services.enrollment_state_change(
                enrollment=enrollment,
                action=form.cleaned_data["action"],
                by=_by(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"The enrollment is now {changed.get_state_display().lower()}."
            )
            return redirect("manage:enrollment", enrollment_id=enrollment.pk)
    return _enrollment_refused(request, enrollment, form, "state")


@login_required
@require_POST
def enrollment_schedule(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Set the cohort and the start date."""
    enrollment = selectors.enrollment_for_admin(user=request.user, enrollment_id=enrollment_id)
    page = selectors.enrollment_page(enrollment=enrollment)
    form = EnrollmentScheduleForm(request.POST, cohorts=page.cohorts)
    if form.is_valid():
        try:
            services.enrollment_schedule_set(
                enrollment=enrollment,
                by=_by(request),
                cohort=form.cohorts.get(form.cleaned_data["cohort"] or 0),
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Cohort and start date saved.")
            return redirect("manage:enrollment", enrollment_id=enrollment.pk)
    return _enrollment_refused(request, enrollment, form, "schedule")


@login_required
@require_POST
def enrollment_mentor(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Make someone the hire's mentor (the previous one's assignment ends; history kept)."""
    enrollment = selectors.enrollment_for_admin(user=request.user, enrollment_id=enrollment_id)
    page = selectors.enrollment_page(enrollment=enrollment)
    form = EnrollmentMentorForm(request.POST, mentors=page.mentors)
    if form.is_valid():
        mentor = next(m for m in page.mentors if m.pk == form.cleaned_data["mentor"])
        try:
            services.enrollment_mentor_set(enrollment=enrollment, mentor=mentor, by=_by(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{mentor.name} is now the mentor.")
            return redirect("manage:enrollment", enrollment_id=enrollment.pk)
    return _enrollment_refused(request, enrollment, form, "mentor")


# --- moving hires to a newer version ----------------------------------------------------------------


@login_required
@require_GET
def move_index(request: HttpRequest) -> HttpResponse:
    """Published versions, each with how many hires are on an older one."""
    versions = selectors.published_versions(user=request.user)
    return render(
        request, "onboarding/manage/move_index.html", {"versions": versions, "section": "move"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, version_id: int) -> HttpResponse:
    """What moving to this version changes for each hire (preview), then move those chosen."""
    version = selectors.version_for_admin(user=request.user, version_id=version_id)
    candidates = selectors.movable_enrollments(user=request.user, version=version)
    only = parse_id(request.GET.get("enrollment"))
    if only:
        candidates = [e for e in candidates if e.pk == only]
    to = request.get_full_path()  # keeps ?enrollment= (the one hire being moved)
    key = f"move:{version.pk}:{only or ''}"

    def build(data=None):
        initial = {"enrollments": [e.pk for e in candidates]}
        return MoveForm(data, enrollments=candidates, initial=initial)

    if request.method == "POST":
        form = build(request.POST)
        if form.is_valid():
            chosen = set(form.cleaned_data["enrollments"])
            try:
                moved = services.enrollments_move_to_version(
                    enrollments=[e for e in candidates if e.pk in chosen],
                    version=version,
                    by=_by(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Moved {len(moved)} hire{'s' if len(moved) != 1 else ''} to {version}.",
                )
                return redirect("manage:dashboard")
        return refused_redirect(request, form, key=key, to=to, anchor="#move-form")
    form = refused_take(request, key=key, build=build) or build()
    previews = selectors.move_previews(enrollments=candidates, version=version)
    context = {"version": version, "previews": previews, "form": form, "section": "move"}
    return render(request, "onboarding/manage/move.html", context)


# --- cohorts ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_list(request: HttpRequest) -> HttpResponse:
    """Every cohort with its hires; create one."""
    cohorts = selectors.cohorts_for_admin(user=request.user)
    if request.method == "POST":
        form = CohortForm(request.POST)
        if form.is_valid():
            try:
                cohort = cohort_services.cohort_create(by=_by(request), **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Cohort \u201c{cohort.name}\u201d created.")
                return redirect("manage:cohort", cohort_id=cohort.pk)
        return refused_redirect(
            request, form, key="cohort-new", to=reverse("manage:cohorts"), anchor="#new-cohort"
        )
    form = refused_take(request, key="cohort-new", build=CohortForm) or CohortForm()
    return render(
        request,
        "onboarding/manage/cohorts.html",
        {"cohorts": cohorts, "form": form, "section": "cohorts"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's hires, and putting more hires in it."""
    cohort = selectors.cohort_for_admin(user=request.user, cohort_id=cohort_id)
    enrollments = list(
        selectors.enrollments_for_admin(user=request.user).filter(
            state__in=[EnrollmentState.ACTIVE, EnrollmentState.PAUSED]
        )[: selectors.PAGE_SIZE]
    )
    members = [e for e in enrollments if e.cohort_id == cohort.pk]
    others = [e for e in enrollments if e.cohort_id != cohort.pk]
    key = f"cohort-assign:{cohort.pk}"
    if request.method == "POST":
        form = CohortAssignForm(request.POST, enrollments=others)
        if form.is_valid():
            chosen = set(form.cleaned_data["enrollments"])
            changed = cohort_services.cohort_assign(
                cohort=cohort,
                enrollments=[e for e in others if e.pk in chosen],
                by=_by(request),
                use_start_date=form.cleaned_data["use_start_date"],
            )
            messages.success(request, f"{changed} hire{'s' if changed != 1 else ''} added.")
            return redirect("manage:cohort", cohort_id=cohort.pk)
        return refused_redirect(
            request,
            form,
            key=key,
            to=reverse("manage:cohort", args=[cohort.pk]),
            anchor="#add-hires",
        )
    form = refused_take(
        request, key=key, build=lambda data: CohortAssignForm(data, enrollments=others)
    ) or CohortAssignForm(enrollments=others)
    context = {"cohort": cohort, "members": members, "form": form, "section": "cohorts"}
    return render(request, "onboarding/manage/cohort.html", context)


# --- privacy ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, person_id: int) -> HttpResponse:
    """Confirm, then erase a person: writing and name gone, numbers kept."""
    person = selectors.person_for_admin(user=request.user, person_id=person_id)
    key = f"person-erase:{person.pk}"
    if request.method == "POST":
        form = EraseForm(request.POST)
        if form.is_valid():
            try:
                privacy.person_erase(person=person, by=_by(request))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Person {person.pk} was erased.")
                return redirect("manage:dashboard")
        return refused_redirect(
            request,
            form,
            key=key,
            to=reverse("manage:person_erase", args=[person.pk]),
            anchor="#erase-form",
        )
    context = {
        "person": person,
        "form": refused_take(request, key=key, build=EraseForm) or EraseForm(),
        "erased": privacy.is_erased(person),
        "section": "people",
    }
    return render(request, "onboarding/manage/erase.html", context)


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who read or changed whose writing and enrollment, newest first."""
    subject_id = parse_id(request.GET.get("person"))
    events = selectors.audit_events(user=request.user, subject_id=subject_id)
    context = {"events": events, "subject_id": subject_id, "section": "audit"}
    return render(request, "onboarding/manage/audit.html", context)
