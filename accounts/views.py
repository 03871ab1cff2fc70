from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import AcceptInvitationForm, InviteForm, ProfileForm
from .models import User


def _program_admin(request: HttpRequest) -> User:
    """Invitations exist only for program admins: for anyone else the page is not there (404),
    as everywhere else in the app (/manage/, the desk), rather than "there, but not for you"."""
    user = request.user
    if not (user.is_program_admin or user.is_superuser):
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
            messages.success(request, "Your account is ready. Log in with your new password.")
            return redirect(reverse("account_login") + f"?email={user.email}")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    """Program admins invite people and see the state of every invitation."""
    admin = _program_admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(invited_by=admin, **form.cleaned_data)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("accounts:invitation_list")
    invitations = selectors.invitations_visible_to(viewer=admin)[:200]
    return render(
        request, "accounts/invitation_list.html", {"form": form, "invitations": invitations}
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    admin = _program_admin(request)
    invitation = selectors.invitation_for_admin(viewer=admin, invitation_id=invitation_id)
    services.invitation_revoke(invitation=invitation)
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
    return render(request, "accounts/profile.html", {"form": form})
