from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from onboarding.views.refused import refused_redirect, refused_take

from . import selectors, services
from .forms import AcceptInvitationForm, InviteForm, ProfileForm
from .models import User
from .permissions import is_program_admin


def _program_admin(request: HttpRequest) -> User:
    """Invitations exist only for program admins: for anyone else the page is not there (404),
    as everywhere else in the app (/manage/, the desk), rather than "there, but not for you"."""
    user = request.user
    if not is_program_admin(user):
        raise Http404("No such page.")
    return user


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    """The emailed link: choose a name, a time zone and a password, then log in."""
    try:
        invitation = services.invitation_check(key=key)
    except services.InvitationError as error:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": error.reason, "code": error.code},
            status=410 if error.code in {"used", "expired", "revoked"} else 404,
        )
    refused_key = f"invitation-accept:{invitation.pk}"
    form = AcceptInvitationForm(
        request.POST or None, initial={"display_name": invitation.display_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                key=key,
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        except services.InvitationError as error:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"reason": error.reason, "code": error.code},
                status=410,
            )
        else:
            if user.check_password(form.cleaned_data["password"]):
                # They just chose this password: log them in with it, through allauth's own
                # flow (a second factor they already have is still asked for; a mentor or
                # admin without one is sent to set it up by the MFA middleware).
                return _log_in(request, user)  # allauth says "Successfully signed in as ..."
            # An account that already had a password keeps it (the invitation only added a
            # role): they log in with that one.
            messages.success(request, "Your account has the new role. Log in as usual.")
            return redirect(reverse("account_login") + "?" + urlencode({"email": user.email}))
    if request.method == "POST":
        # Back to the link's page (post/redirect/get): name and zone kept, never the password.
        return refused_redirect(
            request,
            form,
            key=refused_key,
            to=request.path,
            anchor="#accept-form",
            secret=("password", "password_again"),
        )
    form = (
        refused_take(request, key=refused_key, build=AcceptInvitationForm, revalidate=False) or form
    )
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def _log_in(request: HttpRequest, user: User) -> HttpResponse:
    """Log USER in as if they had typed their password at the login page, landing on their
    first day (a hire with an enrollment) or home."""
    from allauth.account.internal.flows.login import perform_password_login
    from allauth.account.models import Login

    from onboarding.selectors.journey import enrollment_current_for_hire, hire_home

    landing = reverse("home")
    enrollment = enrollment_current_for_hire(user=user) if user.is_hire else None
    if enrollment is not None:
        step = hire_home(enrollment=enrollment).next_action
        landing = step.url if step is not None else landing
    login = Login(user=user, email=user.email, redirect_url=landing)
    return perform_password_login(request, {"email": user.email}, login)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Program admins invite people and see the state of every invitation; a hire's invitation
    also enrolls them (program, mentors, cohort, start date: `onboarding.services.invites`)."""
    from onboarding.selectors.people import enroll_options
    from onboarding.services.invites import hire_invite

    admin = _program_admin(request)
    options = enroll_options(user=admin)
    form = InviteForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        choice = form.enroll_choice()
        try:
            if choice is not None:
                invited = hire_invite(
                    email=data["email"], name=data["display_name"], choice=choice, by=admin
                )
                start = f"{invited.enrollment.start_date:%-d %b %Y}"
                where = f"enrolled in {choice.version.choice_label}, starting {start}"
                messages.success(
                    request,
                    f"Invitation sent to {invited.person.email}; {where}."
                    if invited.invitation is not None
                    else f"{invited.person.email} already has an account: {where}, "
                    "and told by email.",
                )
            else:
                invitation = services.invitation_create(
                    invited_by=admin,
                    email=data["email"],
                    role=data["role"],
                    display_name=data["display_name"],
                )
                messages.success(request, f"Invitation sent to {invitation.email}.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("accounts:invitation_list")
    if request.method == "POST":
        return refused_redirect(
            request,
            form,
            key="invite",
            to=reverse("accounts:invitation_list"),
            anchor="#invite-heading",
        )
    form = (
        refused_take(request, key="invite", build=lambda data: InviteForm(data, options=options))
        or form
    )
    invitations = selectors.invitations_visible_to(viewer=admin)[:200]
    return render(
        request, "accounts/invitation_list.html", {"form": form, "invitations": invitations}
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    admin = _program_admin(request)
    invitation = selectors.invitation_for_admin(viewer=admin, invitation_id=invitation_id)
    services.invitation_revoke(invitation=invitation, by=admin)
    messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("accounts:invitation_list")


@login_required
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    admin = _program_admin(request)
    old = selectors.invitation_for_admin(viewer=admin, invitation_id=invitation_id)
    invitation = services.invitation_create(
        invited_by=admin, email=old.email, role=old.role, display_name=old.display_name
    )
    messages.success(request, f"A new invitation was sent to {invitation.email}.")
    return redirect("accounts:invitation_list")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm.for_user(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update_profile(
                user=user,
                display_name=data["display_name"],
                time_zone=data["time_zone"],
                working_hours_start=data["working_hours_start"],
                working_hours_end=data["working_hours_end"],
                working_days=data["working_days"],
                notification_preferences=form.notification_preferences,
                days_away=data["days_away"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    if request.method == "POST":
        return refused_redirect(
            request, form, key="profile", to=reverse("accounts:profile"), anchor="#profile-heading"
        )
    form = (
        refused_take(request, key="profile", build=lambda data: ProfileForm.for_user(user, data))
        or form
    )
    return render(request, "accounts/profile.html", {"form": form})
