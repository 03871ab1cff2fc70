from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors import journey as selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting point; a person with several roles sees each of their panels."""
    journey = None
    if request.user.is_hire:
        enrollment = selectors.enrollment_current_for_hire(user=request.user)
        if enrollment is not None:
            journey = selectors.hire_home(enrollment=enrollment)
    return render(request, "onboarding/home.html", {"user": request.user, "journey": journey})
