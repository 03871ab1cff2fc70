from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting point; a person with several roles sees each of their panels."""
    return render(request, "onboarding/home.html", {"user": request.user})
