"""Curriculum pages. Thin: objects come from permission-scoped selectors only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .selectors import asset_for_user


@require_GET
@login_required
def asset_file(request: HttpRequest, asset_id: int, name: str) -> HttpResponse:
    """An imported image or file. Versions never change, so the browser may keep it."""
    asset = asset_for_user(user=request.user, asset_id=asset_id)
    response = HttpResponse(bytes(asset.content), content_type=asset.content_type)
    response["Cache-Control"] = "private, max-age=86400, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own could run script: sandbox it, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
