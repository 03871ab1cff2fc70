"""seed_demo leaves a demo hire part-way through the demo program, and is safe to rerun."""

import pytest
from django.urls import reverse

from accounts.models import User
from onboarding.demo import demo_people_seed
from onboarding.models import Enrollment, ItemProgress, ProgressState

pytestmark = pytest.mark.django_db


def test_demo_seed_enrolls_the_demo_hire_with_progress_and_is_safe_to_rerun(client):
    demo_people_seed()
    demo_people_seed()
    enrollment = Enrollment.objects.get()
    assert enrollment.hire.email == "hire@example.com"
    assert enrollment.mentor.email == "mentor@example.com"
    assert ItemProgress.objects.filter(completed_at__isnull=False).count() == 1
    assert ItemProgress.objects.filter(state=ProgressState.IN_PROGRESS).count() == 1

    client.force_login(User.objects.get(email="hire@example.com"))
    html = client.get(reverse("home")).content.decode()
    assert "1 of 8 done" in html
