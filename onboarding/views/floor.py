"""GET /floor: the load benchmark's floor (tests/bench/bench_load.py), kept in the product.

The smallest logged-in page there can be: the same middleware as every page (session, login,
MFA, CSP, no-store) and one row read by primary key, as plain text. The benchmark measures it
in the same run as the real pages, so "a page is N% of the floor" compares like with like on
whatever machine runs it. It shows only the viewer's own email, so it is safe to leave on.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@login_required
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    email = get_user_model().objects.values_list("email", flat=True).get(pk=request.user.pk)
    return HttpResponse(email, content_type="text/plain; charset=utf-8")
