"""Meeting pages. Thin: a selector reads (scoped to the viewer), a form checks shape, a service
writes. Every page works without JavaScript (plain forms, redirect after POST).

Two pages need no login by design: the signed answer link a client contact gets by email, and
a person's calendar feed (read by its secret token). Each refuses a bad key with a clear 4xx.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.links import absolute_url
from accounts.permissions import is_program_admin

from ..edge import parse_id
from ..forms import (
    WEEKDAY_CHOICES,
    ClientContactForm,
    ClientTeamForm,
    ClientTeamQuickForm,
    MeetingAnswerForm,
    MeetingArrangeForm,
    MeetingRescheduleForm,
)
from ..ics import calendar_feed_ics, meeting_download_ics
from ..models import MEETING_SEARCH_STATES, MeetingState
from ..selectors import meetings as selectors
from ..services import meetings as services
from .refused import refused_redirect, refused_take


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


def _arrange_url(enrollment_id: int, meeting_request) -> str:
    url = reverse("meetings:arrange", args=[enrollment_id])
    return f"{url}?request={meeting_request.pk}" if meeting_request is not None else url


class _Arranging:
    """What the arrange page and its "add a client team" post both read."""

    def __init__(self, request: HttpRequest, enrollment_id: int) -> None:
        user = request.user
        self.enrollment = selectors.enrollment_for_organiser(user=user, enrollment_id=enrollment_id)
        self.meeting_request = None
        raw = request.POST.get("request") or request.GET.get("request")
        if raw:
            request_id = parse_id(raw)
            if request_id is None:
                raise Http404("No such meeting request.")
            self.meeting_request = selectors.meeting_request_for_organiser(
                enrollment=self.enrollment, request_id=request_id
            )
        self.teams = list(selectors.client_teams_to_meet(user=user))
        self.colleagues = list(
            selectors.colleagues_to_invite(user=user).exclude(pk=self.enrollment.hire_id)
        )
        self.url = _arrange_url(self.enrollment.pk, self.meeting_request)
        self.key = f"arrange:{self.enrollment.pk}"

    def form(self, data=None, initial=None) -> MeetingArrangeForm:
        return MeetingArrangeForm(
            data, teams=self.teams, colleagues=self.colleagues, initial=initial or {}
        )

    def context(self, request: HttpRequest, form, team_form) -> dict:
        user = request.user
        return {
            "enrollment": self.enrollment,
            "meeting_request": self.meeting_request,
            "form": form,
            "team_form": team_form,
            "teams": self.teams,
            "may_add_team": services.may_add_client_team(user, self.enrollment),
            "may_manage_teams": is_program_admin(user),
        }


def _typed_values(request: HttpRequest, form: MeetingArrangeForm) -> dict:
    """What the organiser typed in the arrange form, as initial values (not validated yet)."""
    values: dict = {}
    for name, field in form.fields.items():
        if name not in request.POST:
            continue
        many = isinstance(field, forms.MultipleChoiceField)
        values[name] = request.POST.getlist(name) if many else request.POST.get(name)
    return values


@login_required
def meeting_arrange(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """The mentor arranges a meeting for a mentee, answering a request (?request=id) or not.

    A refused arrange comes back here by GET (post/redirect/get) with what was typed."""
    arranging = _Arranging(request, enrollment_id)
    if request.method == "POST":
        form = arranging.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_arrange(
                    organiser=request.user,
                    enrollment=arranging.enrollment,
                    request=arranging.meeting_request,
                    title=data["title"],
                    agenda=data["agenda"],
                    duration_minutes=data["duration_minutes"],
                    earliest=data["earliest"],
                    latest=data["latest"],
                    client_team=next(
                        (t for t in arranging.teams if t.pk == data["client_team"]), None
                    ),
                    colleagues=[c for c in arranging.colleagues if c.pk in set(data["colleagues"])],
                    buffer_minutes=data["buffer_minutes"],
                    min_notice_hours=data["min_notice_hours"],
                )
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                # In-process tasks (the embedded default) have booked it by now.
                meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting.pk)
                messages.success(
                    request,
                    "Arranged and booked. Everyone has been sent an invite."
                    if meeting.state == MeetingState.BOOKED
                    else "Arranged. Everyone gets an invite as soon as a time is booked.",
                )
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return refused_redirect(request, form, key=arranging.key, to=arranging.url)
    typed = request.session.pop(arranging.key + ":typed", None)
    form = refused_take(request, key=arranging.key, build=arranging.form)
    if form is None:
        initial = typed or {}
        if not initial and arranging.meeting_request is not None:
            meeting_request = arranging.meeting_request
            initial["title"] = f"{meeting_request.item.title} — {arranging.enrollment.hire.name}"[
                :200
            ]
            initial["agenda"] = meeting_request.note
        if not typed:
            earliest, latest = services.arrange_window_default(organiser=request.user)
            initial.setdefault("earliest", earliest)
            initial.setdefault("latest", latest)
        form = arranging.form(initial=initial)
    team_form = refused_take(request, key=arranging.key + ":team", build=ClientTeamQuickForm)
    return render(
        request,
        "onboarding/meetings/arrange.html",
        arranging.context(request, form, team_form or ClientTeamQuickForm()),
    )


@login_required
@require_POST
def meeting_arrange_team(request: HttpRequest, enrollment_id: int) -> HttpResponse:
    """Add a client team with its contact from the arrange page, keeping the arrange form.

    Without JavaScript the whole arrange form is posted here: what was typed comes back on the
    arrange page with the new team chosen. With htmx only the team picker is swapped."""
    arranging = _Arranging(request, enrollment_id)
    if not services.may_add_client_team(request.user, arranging.enrollment):
        raise PermissionDenied("Only program admins add client teams in this program.")
    team_form = ClientTeamQuickForm(request.POST)
    team = None
    if team_form.is_valid():
        data = team_form.cleaned_data
        try:
            team = services.client_team_add_for_meeting(
                actor=request.user,
                enrollment=arranging.enrollment,
                name=data["name"],
                time_zone=data["time_zone"],
                working_hours_start=data["working_hours_start"],
                working_hours_end=data["working_hours_end"],
                working_days=data["working_days"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
            )
        except ValidationError as error:
            team_form.add_error(None, _errors(error))
    if request.htmx:
        if team is not None:
            arranging.teams = list(selectors.client_teams_to_meet(user=request.user))
        form = arranging.form(initial={"client_team": team.pk} if team else None)
        context = arranging.context(request, form, ClientTeamQuickForm() if team else team_form)
        context["team_added"] = team
        # A refusal is 200 too: htmx swaps only a success, and the message is in the fragment.
        return render(request, "onboarding/meetings/_team_picker.html", context)
    typed = _typed_values(request, arranging.form())
    if team is None:
        request.session[arranging.key + ":typed"] = typed
        return refused_redirect(
            request, team_form, key=arranging.key + ":team", to=arranging.url, anchor="#add-team"
        )
    request.session[arranging.key + ":typed"] = typed | {"client_team": team.pk}
    messages.success(request, f"{team.name} added, with its contact, and chosen for this meeting.")
    return redirect(arranging.url + "#client-team-picker")


def _reschedule_form(request: HttpRequest) -> MeetingRescheduleForm:
    # The same first guess as the arrange page: the organiser's next working day, two weeks.
    earliest, latest = services.arrange_window_default(organiser=request.user)
    return MeetingRescheduleForm(initial={"earliest": earliest, "latest": latest})


def _meeting_context(request: HttpRequest, meeting_id: int, *, take_refused: bool = False) -> dict:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    page = selectors.meeting_page(meeting=meeting, viewer=request.user)
    # Only the page itself takes back a refused answer or change: the polled body must not
    # swallow it before the person sees it.
    answer = reschedule = None
    if take_refused:
        answer = refused_take(request, key=f"meeting-answer:{meeting.pk}", build=MeetingAnswerForm)
        reschedule = refused_take(
            request, key=f"meeting-reschedule:{meeting.pk}", build=MeetingRescheduleForm
        )
    return {
        "page": page,
        "meeting": meeting,
        "answer_form": answer or MeetingAnswerForm(),
        "reschedule_form": reschedule or _reschedule_form(request),
        "searching": meeting.state in MEETING_SEARCH_STATES,
    }


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    context = _meeting_context(request, meeting_id, take_refused=True)
    return render(request, "onboarding/meetings/detail.html", context)


@login_required
@require_GET
def meeting_status(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting page's body, which the page polls while a worker looks for a time; the
    body it returns once the time is booked (or not found) carries no trigger, so polling
    stops there."""
    context = _meeting_context(request, meeting_id) | {"announce": True}
    response = render(request, "onboarding/meetings/_meeting_body.html", context)
    response["Cache-Control"] = "no-store"
    return response


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
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Your answer is recorded.")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return refused_redirect(
        request,
        form,
        key=f"meeting-answer:{meeting.pk}",
        to=reverse("meetings:detail", args=[meeting.pk]),
        anchor="#answer-heading",
    )


@login_required
@require_POST
def meeting_reschedule(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_for_user(user=request.user, meeting_id=meeting_id)
    form = MeetingRescheduleForm(request.POST)
    if form.is_valid():
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
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Looking for a new time; everyone is told when it is found.")
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return refused_redirect(
        request,
        form,
        key=f"meeting-reschedule:{meeting.pk}",
        to=reverse("meetings:detail", args=[meeting.pk]),
        anchor="#change-heading",
    )


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
        # Kept in place: a client contact has no account (no session of theirs to keep the
        # form in), and a refresh re-sends only the same answer to the same one-time link.
        status=400 if request.method == "POST" else 200,
    )


# --- calendar feed -----------------------------------------------------------------------------


# The new feed's address, kept in the session from the POST that made it to the one page
# that shows it (popped there): only its hash is stored, so it can never be shown again.
_FEED_URL_ONCE = "calendar_feed_url_once"


@login_required
@require_GET
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    feed = selectors.calendar_feed_of(user=request.user)
    url = request.session.pop(_FEED_URL_ONCE, "") if feed is not None else ""
    return render(
        request,
        "onboarding/meetings/feed.html",
        {"feed": feed, "feed_url": url, "links": _subscribe_links(url) if url else None},
    )


def _subscribe_links(url: str) -> dict[str, str]:
    """webcal:// for the calendar program the system opens, and the two web calendars' own
    "subscribe from URL" pages, each given the address."""
    webcal = "webcal://" + url.split("://", 1)[-1]
    return {
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": url, "name": "Onboarding meetings"}),
    }


@login_required
@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_create(user=request.user)
    # From SITE_URL, not the request's Host header, like every link the app hands out.
    path = reverse("meetings:feed", args=[feed.token])
    request.session[_FEED_URL_ONCE] = absolute_url(path)
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
        "days_away": list(team.days_away),
    }


def _managing(request: HttpRequest) -> bool:
    """Program admins manage client teams; a mentor who reads them may not post."""
    manages = is_program_admin(request.user)
    if request.method == "POST" and not manages:
        raise PermissionDenied("Only program admins manage client teams.")
    return manages


@login_required
def client_team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.client_teams_for_reader(user=request.user)
    manages = _managing(request)
    if request.method == "POST":
        form = ClientTeamForm(request.POST)
        if form.is_valid():
            try:
                team = services.client_team_create(actor=request.user, **_team_values(form))
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, f"{team.name} added. Now add its contacts.")
                return redirect("meetings:client_team", team_id=team.pk)
        return refused_redirect(
            request,
            form,
            key="client-team-new",
            to=reverse("meetings:client_teams"),
            anchor="#new-team-heading",
        )
    context = {
        "teams": teams,
        "form": refused_take(request, key="client-team-new", build=ClientTeamForm)
        or ClientTeamForm(),
        "manages": manages,
        "programs": selectors.programs_for_team_policy(user=request.user) if manages else [],
    }
    return render(request, "onboarding/meetings/client_teams.html", context)


@login_required
@require_POST
def client_teams_policy(request: HttpRequest, program_id: int) -> HttpResponse:
    """A program admin lets the program's mentors add client teams, or keeps it to admins."""
    if not is_program_admin(request.user):
        raise Http404("No such page.")
    allowed = request.POST.get("allowed") == "on"
    try:
        services.program_client_teams_by_mentors_set(
            actor=request.user, program_id=program_id, allowed=allowed
        )
    except ValidationError as error:
        raise Http404("No such program.") from error
    messages.success(
        request,
        "Mentors of that program may now add client teams."
        if allowed
        else "Only program admins add client teams in that program now.",
    )
    return redirect(reverse("meetings:client_teams") + "#team-policy")


@login_required
def client_team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.client_team_for_reader(user=request.user, team_id=team_id)
    manages = _managing(request)
    key = f"client-team:{team.pk}"
    if request.method == "POST":
        form = ClientTeamForm(request.POST)
        if form.is_valid():
            try:
                services.client_team_update(actor=request.user, team=team, **_team_values(form))
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                messages.success(request, "Saved.")
                return redirect("meetings:client_team", team_id=team.pk)
        return refused_redirect(
            request,
            form,
            key=key,
            to=reverse("meetings:client_team", args=[team.pk]),
            anchor="#edit-team-heading",
        )
    return render(
        request,
        "onboarding/meetings/client_team.html",
        {
            "team": team,
            "form": refused_take(request, key=key, build=ClientTeamForm)
            or ClientTeamForm(initial=_team_initial(team)),
            "contact_form": refused_take(
                request, key=f"client-contact:{team.pk}", build=ClientContactForm
            )
            or ClientContactForm(),
            "manages": manages,
            "days": ", ".join(label for day, label in WEEKDAY_CHOICES if day in team.working_days),
        },
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
    return refused_redirect(
        request,
        form,
        key=f"client-contact:{team.pk}",
        to=reverse("meetings:client_team", args=[team.pk]),
        anchor="#contacts-heading",
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
