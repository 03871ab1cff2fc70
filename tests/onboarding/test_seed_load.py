"""`manage.py seed_load`: a large realistic instance, here at a small size."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Avg, Count, Q
from django.urls import reverse

from accounts.models import User
from onboarding.models import (
    Enrollment,
    Meeting,
    MeetingBooking,
    Notification,
    ProgressState,
    Question,
    Submission,
    SubmissionState,
)
from onboarding.seed_load import DOMAIN, load_instance_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return load_instance_seed(hires=100, cohorts=5, mentors=5, items=10, seed=7)


def test_the_instance_has_the_asked_for_shape(seeded):
    assert User.objects.filter(is_hire=True, email__endswith=DOMAIN).count() == 100
    assert User.objects.filter(is_mentor=True, email__endswith=DOMAIN).count() == 5
    enrollments = Enrollment.objects.annotate(
        done=Count("progress", filter=~Q(progress__state=ProgressState.IN_PROGRESS))
    )
    assert enrollments.values("cohort").distinct().count() == 5
    # cohorts are spread from "started today" to "finished": half way on average
    average = enrollments.aggregate(average=Avg("done"))["average"]
    assert 3 <= average <= 7
    assert enrollments.filter(done=0).exists() and enrollments.filter(done=10).exists()
    states = set(Submission.objects.values_list("state", flat=True))
    assert {SubmissionState.SUBMITTED, SubmissionState.ACCEPTED} <= states
    assert Question.objects.exists() and Notification.objects.exists()
    # every booked meeting holds both people's time (the no-overlap constraint accepted them)
    assert MeetingBooking.objects.count() == 2 * Meeting.objects.count() > 0
    assert seeded.counts["submission"] == Submission.objects.count()


def test_a_second_seed_is_refused_and_writes_nothing(seeded):
    users = User.objects.count()
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_load", "--hires", "3", "--cohorts", "1", "--mentors", "1")
    assert User.objects.count() == users


def test_seeded_people_see_their_pages(seeded, client, mfa_passed):
    enrollment = (
        Enrollment.objects.filter(progress__state=ProgressState.IN_PROGRESS)
        .select_related("hire", "mentor")
        .first()
    )
    current = enrollment.progress.get(state=ProgressState.IN_PROGRESS)
    client.force_login(enrollment.hire)
    assert client.get(reverse("home")).status_code == 200
    item = reverse("journey:item", args=[enrollment.pk, current.item_id])
    assert client.get(item).status_code == 200

    waiting = Submission.objects.filter(
        state=SubmissionState.SUBMITTED, enrollment__mentor=enrollment.mentor
    ).first()
    mentor = mfa_passed(client, enrollment.mentor)
    assert mentor.get(reverse("desk:dashboard")).status_code == 200
    if waiting is not None:
        assert mentor.get(reverse("desk:review", args=[waiting.pk])).status_code == 200
