"""Meeting pages. Thin: a selector reads (scoped to the viewer), a form checks shape, a service
writes. Every page works without JavaScript (plain forms, redirect after POST).

Two pages need no login by design: the signed answer link a client contact gets by email, and
a person's calendar feed (read by its secret token). Each refuses a bad key with a clear 4xx.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..forms import (
    ClientContactForm,
    ClientTeamForm,
    MeetingAnswerForm,
    MeetingArrangeForm,
    MeetingRescheduleForm,
)
from ..ics import calendar_feed_ics, meeting_download_ics
from ..selectors import meetings as selectors
from ..services import meetings as services


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the viewer's meetings ---------------------------------------------------------------------


@login_required
@require_GET
def meeting_index(request: HttpRequest) -> HttpResponse:
    """Meetings ahead (in the viewer's zone) and, for mentors, requests waiting to be arranged."""
    index = selectors.meetings_index(user=request.user)
    return render(request, "onboarding/meetings/index.html", {"index": index})


@login_required
def meeting_arrange(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """The mentor arranges a meeting for a mentee, answering a request (?request=id) or not."""
    enrollment = selectors.enrollment_for_organiser(user=request.user, enrollment_id=enrollment_id)
    meeting_request = None
    request_id = request.POST.get("request") or request.GET.get("request")
    if request_id:
        if not str(request_id).isdigit():
            raise Http404("No such meeting request.")
        meeting_request = selectors.meeting_request_for_organiser(
            enrollment=enrollment, request_id=int(request_id)
        )
    teams = list(selectors.client_teams_to_meet(user=request.user))
    colleagues = list(
        selectors.colleagues_to_invite(user=request.user).exclude(pk=enrollment.hire_id)
    )
    initial = {}
    if meeting_request is not None:
        initial["title"] = f"{meeting_request.item.title} — {enrollment.hire.name}"[:200]
        initial["agenda"] = meeting_request.note
    form = MeetingArrangeForm(
        request.POST or None, teams=teams, colleagues=colleagues, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_arrange(
                    organiser=request.user,
                    enrollment=enrollment,
                    request=meeting_request,
                    title=data["title"],
                    agenda=data["agenda"],
                    duration_minutes=data["duration_minutes"],
                    earliest=data["earliest"],
                    latest=data["latest"],
                    client_team=next((t for t in teams if t.pk == data["client_team"]), None),
                    colleagues=[c for c in colleagues if c.pk in set(data["colleagues"])],
                    buffer_minutes=data["buffer_minutes"],
                    min_notice_hours=data["min_notice_hours"],
                )
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(
                    request, "Arranged. Everyone gets an invite as soon as a time is booked."
                )
                return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "onboarding/meetings/arrange.html",
        {"enrollment": enrollment, "meeting_request": meeting_request, "form": form},
        status=status,
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    page = selectors.meeting_page(meeting=meeting, viewer=request.user)
    return render(
        request,
        "onboarding/meetings/detail.html",
        {
            "page": page,
            "meeting": meeting,
            "answer_form": MeetingAnswerForm(),
            "reschedule_form": MeetingRescheduleForm(),
        },
    )


@login_required
@require_POST
def meeting_respond(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    page = selectors.meeting_page(meeting=meeting, viewer=request.user)
    form = MeetingAnswerForm(request.POST)
    if page.viewer_row is None:
        raise Http404("You are not invited to this meeting.")
    if form.is_valid():
        try:
            services.meeting_respond(
                by=request.user,
                participant=page.viewer_row.participant,
                response=form.cleaned_data["response"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, "Your answer is recorded.")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    else:
        messages.error(request, "Choose an answer (and keep the note under 2,000 characters).")
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_reschedule(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    form = MeetingRescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the earliest and latest day as dates.")
        return redirect("meetings:detail", meeting_id=meeting.pk)
    try:
        services.meeting_reschedule(
            actor=request.user,
            meeting=meeting,
            earliest=form.cleaned_data["earliest"],
            latest=form.cleaned_data["latest"],
        )
    except PermissionDenied as error:
        raise Http404("No such meeting.") from error
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Looking for a new time; everyone is told when it is found.")
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    try:
        services.meeting_cancel(actor=request.user, meeting=meeting)
    except PermissionDenied as error:
        raise Http404("No such meeting.") from error
    messages.success(request, "Cancelled. Everyone invited gets a cancellation.")
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_GET
def meeting_ics(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_download(user=request.user, meeting_id=meeting_id)
    text = meeting_download_ics(meeting, list(meeting.participants.all()))
    return _ics_response(text, f"{slugify(meeting.title)[:60] or 'meeting'}.ics")


# --- the signed answer link (public: client contacts have no account) --------------------------


@never_cache
def meeting_link_answer(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the meeting and the answer the link was for (mail scanners open links, so a GET
    never answers); POST records the answer, once."""
    try:
        checked = services.meeting_link_check(token)
    except services.MeetingLinkError as error:
        return render(
            request,
            "onboarding/meetings/link_error.html",
            {"message": error.message},
            status=error.status,
        )
    participant = checked.participant
    form = MeetingAnswerForm(request.POST or None, initial={"response": checked.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_link_answer(
                token=token,
                response=form.cleaned_data["response"],
                note=form.cleaned_data["note"],
            )
        except services.MeetingLinkError as error:
            return render(
                request,
                "onboarding/meetings/link_error.html",
                {"message": error.message},
                status=error.status,
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            return render(
                request,
                "onboarding/meetings/link_done.html",
                {
                    "participant": participant,
                    "meeting": participant.meeting,
                    "response": dict(form.fields["response"].choices)[
                        form.cleaned_data["response"]
                    ],
                },
            )
    when = services.local_span(
        participant.meeting.starts_at, participant.meeting.ends_at, participant.time_zone
    )
    return render(
        request,
        "onboarding/meetings/link_answer.html",
        {"participant": participant, "meeting": participant.meeting, "form": form, "when": when},
        status=400 if request.method == "POST" else 200,
    )


# --- calendar feed -----------------------------------------------------------------------------


@login_required
@require_GET
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    feed = selectors.calendar_feed_of(user=request.user)
    url = (
        request.build_absolute_uri(reverse("meetings:feed", args=[feed.token]))
        if feed is not None
        else ""
    )
    return render(request, "onboarding/meetings/feed.html", {"feed": feed, "feed_url": url})


@login_required
@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_create(user=request.user)
    messages.success(request, "Your calendar has a new private address; any older one is off.")
    return redirect("meetings:feed_settings")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, "Your calendar address is off: nobody can read it any more.")
    return redirect("meetings:feed_settings")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user, meetings = selectors.calendar_feed_meetings(token=token)
    response = _ics_response(
        calendar_feed_ics(meetings, name=f"Onboarding meetings of {user.name}"), "meetings.ics"
    )
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- client teams (program admins) --------------------------------------------------------------


def _team_values(form: ClientTeamForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "description": data["description"],
        "time_zone": data["time_zone"],
        "working_hours_start": data["working_hours_start"],
        "working_hours_end": data["working_hours_end"],
        "working_days": data["working_days"],
        "days_away": data["days_away"],
    }


def _team_initial(team) -> dict:
    return {
        "name": team.name,
        "description": team.description,
        "time_zone": team.time_zone,
        "working_hours_start": team.working_hours_start,
        "working_hours_end": team.working_hours_end,
        "working_days": team.working_days,
        "days_away": ", ".join(team.days_away),
    }


@login_required
def client_team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.client_teams_for_admin(user=request.user)
    form = ClientTeamForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                team = services.client_team_create(actor=request.user, **_team_values(form))
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, f"{team.name} added. Now add its contacts.")
                return redirect("meetings:client_team", team_id=team.pk)
    return render(
        request,
        "onboarding/meetings/client_teams.html",
        {"teams": teams, "form": form},
        status=status,
    )


@login_required
def client_team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.client_team_for_admin(user=request.user, team_id=team_id)
    form = ClientTeamForm(request.POST or None, initial=_team_initial(team))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.client_team_update(actor=request.user, team=team, **_team_values(form))
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, "Saved.")
                return redirect("meetings:client_team", team_id=team.pk)
    return render(
        request,
        "onboarding/meetings/client_team.html",
        {"team": team, "form": form, "contact_form": ClientContactForm()},
        status=status,
    )


@login_required
@require_POST
def client_team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.client_team_for_admin(user=request.user, team_id=team_id)
    try:
        services.client_team_delete(actor=request.user, team=team)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("meetings:client_team", team_id=team.pk)
    messages.success(request, f"{team.name} removed.")
    return redirect("meetings:client_teams")


@login_required
@require_POST
def client_contact_add(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.client_team_for_admin(user=request.user, team_id=team_id)
    form = ClientContactForm(request.POST)
    if form.is_valid():
        try:
            services.client_contact_add(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Contact added.")
            return redirect("meetings:client_team", team_id=team.pk)
    return render(
        request,
        "onboarding/meetings/client_team.html",
        {"team": team, "form": ClientTeamForm(initial=_team_initial(team)), "contact_form": form},
        status=400,
    )


@login_required
@require_POST
def client_contact_remove(request: HttpRequest, team_id: int, contact_id: int) -> HttpResponse:
    team = selectors.client_team_for_admin(user=request.user, team_id=team_id)
    contact = team.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    services.client_contact_remove(actor=request.user, contact=contact)
    messages.success(request, f"{contact.name} removed.")
    return redirect("meetings:client_team", team_id=team.pk)
