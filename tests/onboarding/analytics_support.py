"""Many hires with progress, questions and reviews, made fast with bulk_create (analytics)."""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from curriculum.models import Item
from onboarding.models import (
    Enrollment,
    ItemProgress,
    ProgressState,
    Question,
    Submission,
    SubmissionRound,
)

NOW = timezone.now()
PASSWORD = make_password(None)  # unusable; hashing 5,000 real passwords would take minutes


def seed(version, mentor, n: int, *, start: int = 0, cohorts=None) -> None:
    """N hires with progress on the first three items, ratings, questions, reviewed rounds,
    and a waiting submission each: bulk_create, a few seconds for 5,000."""
    items = list(Item.objects.filter(version=version).order_by("chapter__position", "position"))
    users = User.objects.bulk_create(
        User(
            email=f"bulk{start + i}@example.com",
            display_name=f"Bulk {start + i}",
            is_hire=True,
            password=PASSWORD,
        )
        for i in range(n)
    )
    cohorts = cohorts or [None]
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            hire=user,
            program_id=version.program_id,
            version=version,
            mentor=mentor,
            cohort=cohorts[i % len(cohorts)],
            start_date=datetime.date(2026, 1, 5),
        )
        for i, user in enumerate(users)
    )
    progress, questions, submissions = [], [], []
    for i, enrollment in enumerate(enrollments):
        for position, item in enumerate(items[:3]):
            started = NOW - datetime.timedelta(hours=100 - position)
            done = position < 2 or i % 2 == 0
            progress.append(
                ItemProgress(
                    enrollment=enrollment,
                    item=item,
                    state=ProgressState.DONE if done else ProgressState.IN_PROGRESS,
                    started_at=started,
                    completed_at=started + datetime.timedelta(hours=2 + position * 4 + i % 3)
                    if done
                    else None,
                    rating=(i % 5) + 1 if done else None,
                    rating_comment="Too long =cmd" if done and i % 5 == 0 else "",
                )
            )
        questions.append(
            Question(enrollment=enrollment, item=items[1], body="Q?", body_html="<p>Q?</p>")
        )
        submissions.append(
            Submission(
                enrollment=enrollment,
                item=items[0],
                kind="reflection",
                body="R",
                state="submitted",
                round=2,
                submitted_at=NOW - datetime.timedelta(hours=60),
            )
        )
    ItemProgress.objects.bulk_create(progress)
    Question.objects.bulk_create(questions)
    Submission.objects.bulk_create(submissions)
    SubmissionRound.objects.bulk_create(
        SubmissionRound(
            submission=submission,
            round=1,
            body="R",
            submitted_at=NOW - datetime.timedelta(hours=100),
            outcome="changes_requested",
            reviewed_by=mentor,
            reviewed_at=NOW - datetime.timedelta(hours=100 - 24 - (i % 2) * 40),
        )
        for i, submission in enumerate(submissions)
    )
