"""Privacy: every read of a person's writing by someone else is in the audit log; erasing a
person leaves no trace of their name, email or writing in any table and keeps the numbers; the
retention task anonymises ended enrollments, safely twice."""

import datetime

import pytest
from django.apps import apps
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create
from onboarding.models import (
    AuditEvent,
    EnrollmentAnonymisation,
    EnrollmentStateChange,
    ItemProgress,
    MentorNote,
    OutboundEmail,
    Question,
    Submission,
    SubmissionRound,
)
from onboarding.selectors.analytics import analytics_scope, completion_funnel, stuck_items
from onboarding.services.journey import enrollment_create
from onboarding.services.mentoring import mentor_note_add
from onboarding.services.people import enrollment_finish
from onboarding.services.privacy import (
    enrollment_anonymise,
    is_erased,
    person_erase,
    retention_sweep,
)
from onboarding.services.questions import question_answer, question_ask
from onboarding.services.review import review_comment_add, submission_request_changes
from onboarding.tasks import privacy_retention_run
from tests.onboarding import desk_support
from tests.onboarding.desk_support import submit_answer, submit_reflection
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

day1 = desk_support.day1
day3 = desk_support.day3
enrollment = desk_support.enrollment
version = desk_support.version

SECRETS = {
    "reflection": "Zebrafish lanterns on prompt",
    "answer": "Quokka semaphore answer",
    "question": "Why does the narwhal compiler hum",
    "reply": "Because of the ocelot cache",
    "comment": "Tapir feedback on your reflection",
    "note": "Private note about pangolin progress",
    "rating": "Unclear axolotl instructions",
}


@pytest.fixture
def written(enrollment, mentor, admin, day1, day3):
    """A hire who wrote everything there is to write, and a mentor who answered it all."""
    hire = enrollment.hire
    reflection = submit_reflection(enrollment, day1, SECRETS["reflection"])
    submission_request_changes(submission=reflection, by=mentor, comment=SECRETS["comment"])
    submit_reflection(enrollment, day1, SECRETS["reflection"] + " again")
    answer = submit_answer(enrollment, day3, SECRETS["answer"])
    review_comment_add(submission=answer, by=hire, body="A reply by Hana Hire herself")
    question = question_ask(
        enrollment=enrollment, by=hire, item=day1, block_key="", body=SECRETS["question"]
    )
    question_answer(question=question, by=mentor, body=SECRETS["reply"] + ", Hana Hire")
    mentor_note_add(enrollment=enrollment, by=mentor, body=SECRETS["note"])
    progress = ItemProgress.objects.get(enrollment=enrollment, item=day1)
    progress.completed_at = timezone.now()
    progress.state = "done"
    progress.rating, progress.rating_comment = 2, SECRETS["rating"]
    progress.save()
    invitation_create(invited_by=admin, email=hire.email, role="hire", display_name=hire.name)
    return enrollment


def text_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def tables_holding(text: str) -> list[str]:
    """Every (table.column) in the whole database, every app, whose text holds TEXT."""
    found = []
    with connection.cursor() as cursor:
        for model, field in text_columns():
            if model._meta.proxy:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column}::text ILIKE %s",  # noqa: S608
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def numbers(enrollment):
    scope = analytics_scope(
        user=User.objects.filter(is_program_admin=True).first(),
        program_id=enrollment.program_id,
        cohort_id=None,
    )
    funnel = [(r.item.key, r.started, r.completed) for r in completion_funnel(scope=scope).rows]
    stuck = [
        (r.item.key, r.questions, r.changes_requested, r.ratings, r.average_rating)
        for r in stuck_items(scope=scope).rows
    ]
    rows = (
        ItemProgress.objects.filter(enrollment=enrollment).count(),
        Submission.objects.filter(enrollment=enrollment).count(),
        SubmissionRound.objects.filter(submission__enrollment=enrollment).count(),
        Question.objects.filter(enrollment=enrollment).count(),
    )
    return funnel, stuck, rows


def test_erasure_leaves_no_name_email_or_writing_in_any_table(written, admin):
    hire = written.hire
    needles = [hire.email, hire.display_name, *SECRETS.values()]
    assert all(tables_holding(needle) for needle in needles)  # the scan does see them
    before = numbers(written)
    assert OutboundEmail.objects.filter(body_text__icontains=hire.display_name).exists()

    person_erase(person=hire, by=admin)

    for needle in needles:
        assert tables_holding(needle) == [], needle
    assert numbers(written) == before
    hire.refresh_from_db()
    assert is_erased(hire) and not hire.is_active and not hire.has_usable_password()
    assert not MentorNote.objects.filter(enrollment=written).exists()
    assert Invitation.objects.filter(email=hire.email).count() == 1
    assert AuditEvent.objects.filter(action="erase", subject=hire, actor=admin).count() == 1


def test_erasing_twice_changes_nothing_and_nobody_erases_themself(written, admin):
    person_erase(person=written.hire, by=admin)
    person_erase(person=written.hire, by=admin)
    assert AuditEvent.objects.filter(action="erase").count() == 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        person_erase(person=admin, by=admin)


def test_erasing_a_mentor_removes_what_they_wrote_about_others(written, mentor, admin):
    person_erase(person=mentor, by=admin)
    for needle in (SECRETS["comment"], SECRETS["reply"], SECRETS["note"], mentor.email):
        assert tables_holding(needle) == [], needle
    # The hire's own writing is theirs, and stays.
    assert tables_holding(SECRETS["answer"])


def test_erase_page_needs_the_word_and_then_erases(client, mfa_passed, admin, written):
    mfa_passed(client, admin)
    url = reverse("manage:person_erase", args=[written.hire_id])
    refused = client.post(url, {"confirm": "yes"})
    html = assert_refused_back(client, refused, url, "#erase-form", "Type ERASE (capital letters)")
    assert 'value="yes"' in html
    assert not is_erased(User.objects.get(pk=written.hire_id))
    assert client.post(url, {"confirm": "ERASE"}).status_code == 302
    assert is_erased(User.objects.get(pk=written.hire_id))


# --- retention -------------------------------------------------------------------------------------


def test_retention_anonymises_ended_enrollments_after_the_period_and_twice_is_harmless(
    written, admin, settings
):
    settings.PRIVACY_RETENTION_DAYS = 30
    enrollment_finish(enrollment=written, by=admin)
    assert retention_sweep() == {"erased": 0, "anonymised": 0, "skipped": 0}
    EnrollmentStateChange.objects.filter(enrollment=written).update(
        at=timezone.now() - datetime.timedelta(days=31)
    )
    before = numbers(written)
    assert privacy_retention_run.apply().get() == {"erased": 1, "anonymised": 0, "skipped": 0}
    assert privacy_retention_run.apply().get() == {"erased": 0, "anonymised": 0, "skipped": 0}
    assert EnrollmentAnonymisation.objects.filter(enrollment=written).count() == 1
    assert tables_holding(SECRETS["reflection"]) == []
    assert tables_holding("hire@example.com") == []
    assert numbers(written) == before


def test_retention_only_anonymises_when_the_person_is_still_in_a_program(
    written, admin, settings, version
):
    settings.PRIVACY_RETENTION_DAYS = 30
    enrollment_finish(enrollment=written, by=admin)
    EnrollmentStateChange.objects.filter(enrollment=written).update(
        at=timezone.now() - datetime.timedelta(days=31)
    )
    enrollment_create(hire=written.hire, version=version)  # back for another round
    assert retention_sweep() == {"erased": 0, "anonymised": 1, "skipped": 0}
    hire = User.objects.get(pk=written.hire_id)
    assert not is_erased(hire) and hire.is_active
    assert tables_holding(SECRETS["answer"]) == []


def test_retention_is_a_daily_beat_entry():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "onboarding.tasks.privacy_retention_run"
    assert entry["schedule"] == 86400.0


def test_anonymise_keeps_the_rating_but_not_its_comment(written, admin, day1):
    enrollment_anonymise(enrollment=written, by=admin, reason="erasure")
    progress = ItemProgress.objects.get(enrollment=written, item=day1)
    assert progress.rating == 2 and progress.rating_comment == ""


# --- the audit log of reads ----------------------------------------------------------------------


def test_every_read_of_a_hires_writing_by_someone_else_is_logged(
    client, mfa_passed, written, mentor, admin, day1
):
    hire = written.hire
    submission = Submission.objects.filter(enrollment=written).first()
    question = Question.objects.get(enrollment=written)
    reads = [
        reverse("desk:review", args=[submission.pk]),
        reverse("desk:mentee", args=[written.pk]),
        reverse("desk:question", args=[question.pk]),
        reverse("journey:item", args=[written.pk, day1.pk]),
        reverse("journey:export_json", args=[written.pk]),
        reverse("journey:export_markdown", args=[written.pk]),
    ]
    for reader in (mentor, admin):
        mfa_passed(client, reader)
        for url in reads:
            before = AuditEvent.objects.filter(actor=reader, subject=hire, action="read").count()
            assert client.get(url).status_code == 200, url
            after = AuditEvent.objects.filter(actor=reader, subject=hire, action="read").count()
            assert after == before + 1, url
    # The hire reading their own writing is not "someone else".
    client.force_login(hire)
    before = AuditEvent.objects.count()
    for url in reads[3:]:
        assert client.get(url).status_code == 200
    assert AuditEvent.objects.count() == before


def test_a_refused_read_is_not_logged_as_a_read(client, mfa_passed, written, other_mentor):
    mfa_passed(client, other_mentor)
    assert client.get(reverse("desk:mentee", args=[written.pk])).status_code == 404
    assert not AuditEvent.objects.filter(actor=other_mentor).exists()


def test_audit_log_page_lists_reads_with_ids_only(client, mfa_passed, written, admin, mentor):
    mfa_passed(client, mentor)
    client.get(reverse("desk:mentee", args=[written.pk]))
    mfa_passed(client, admin)
    page = client.get(reverse("manage:audit") + f"?person={written.hire_id}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "mentee page" in text and written.hire.display_name in text


def test_audit_events_carry_no_personal_text(written, mentor, admin, client, mfa_passed):
    mfa_passed(client, mentor)
    client.get(reverse("desk:mentee", args=[written.pk]))
    enrollment_finish(enrollment=written, by=admin, reason="Moved to a client team")
    for event in AuditEvent.objects.all():
        for value in (event.object_type, event.object_id, event.detail):
            assert written.hire.display_name not in value and "@" not in value
