import pytest
from django.core.cache import cache

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shoot(page, screenshot_dir):
    """Save a full-page screenshot at phone and desktop width: shoot("login")."""

    def take(name: str) -> None:
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=str(screenshot_dir / f"{name}-{label}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)

    return take
