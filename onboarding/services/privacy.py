"""Erasing a person, and anonymising enrollments after the retention period.

What erasure keeps, so the analytics stay right: every progress row (dates, states, ratings),
every submission and review round (state, round, dates, outcome), every question (state, dates),
every assignment and audit event; they stay attached to the same, now anonymous, user row. What
it removes: the person's writing (submission bodies and answers, every round's text, questions
and the messages in their threads, review comments, rating comments, meeting-request notes),
mentors' private notes about them, and their name and email from every table (the user row,
allauth's email addresses and authenticators, invitations, emails to them, their notifications,
meeting participations, the Django admin's log), then a last pass that replaces any remaining
mention of their name or email in the app's text columns (an email to their mentor that named
them, a notification title).

FAQ entries a mentor promoted from their question are kept: the mentor rewrote them for everyone
and they carry no name.
"""

import datetime
import logging
import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.permissions import is_program_admin

from ..audit import audit_record
from ..models import (
    AuditAction,
    CalendarFeed,
    Enrollment,
    EnrollmentAnonymisation,
    EnrollmentState,
    EnrollmentStateChange,
    ItemProgress,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MentorNote,
    Notification,
    OutboundEmail,
    Question,
    QuestionMessage,
    ReminderDue,
    ReviewComment,
    Submission,
    SubmissionRound,
)

logger = logging.getLogger(__name__)

ERASED = "[erased]"
ERASED_HTML = "<p>[erased]</p>"
ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): nothing can be sent there
# Apps whose text columns the last pass scans; curriculum content is authored, not personal.
SCRUBBED_APPS = ("onboarding", "accounts", "admin")


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


QUOTED = "[erased: this message quoted writing that has since been erased]"
NEEDLE_CHARS = 200  # messages quote at most the first 2,000 characters; the start is enough


def _texts(*querysets) -> list[str]:
    """Every non-empty text (and JSON answer text) the querysets' values name."""
    found: list[str] = []
    for queryset in querysets:
        for value in queryset:
            if isinstance(value, dict):
                found.extend(str(text) for text in value.values())
            elif value:
                found.append(str(value))
    return [text.strip() for text in found if len(text.strip()) >= 8]


def _enrollment_writing(enrollment_id: int) -> list[str]:
    return _texts(
        Submission.objects.filter(enrollment_id=enrollment_id).values_list("body", flat=True),
        Submission.objects.filter(enrollment_id=enrollment_id).values_list("answers", flat=True),
        SubmissionRound.objects.filter(submission__enrollment_id=enrollment_id).values_list(
            "body", flat=True
        ),
        SubmissionRound.objects.filter(submission__enrollment_id=enrollment_id).values_list(
            "answers", flat=True
        ),
        ReviewComment.objects.filter(submission__enrollment_id=enrollment_id).values_list(
            "body", flat=True
        ),
        Question.objects.filter(enrollment_id=enrollment_id).values_list("body", flat=True),
        QuestionMessage.objects.filter(question__enrollment_id=enrollment_id).values_list(
            "body", flat=True
        ),
        MentorNote.objects.filter(enrollment_id=enrollment_id).values_list("body", flat=True),
        ItemProgress.objects.filter(enrollment_id=enrollment_id).values_list(
            "rating_comment", flat=True
        ),
        MeetingRequest.objects.filter(enrollment_id=enrollment_id).values_list("note", flat=True),
    )


def _writing_by(person: User) -> list[str]:
    return _texts(
        *(
            model.objects.filter(author=person).values_list("body", flat=True)  # type: ignore[attr-defined]
            for model in (ReviewComment, QuestionMessage, MentorNote)
        ),
        Question.objects.filter(asked_by=person).values_list("body", flat=True),
    )


QUOTES_PER_QUERY = 100  # SQLite nests a chain of ORs one level per term (depth limit 1,000)


def _quoting(fields: tuple[str, ...], texts: list[str]) -> list[Q]:
    """Filters for rows whose FIELDS contain any of TEXTS (their first characters), in chunks.

    Django escapes `%` and `_`; LIKE is case-sensitive on PostgreSQL and case-blind (for ASCII)
    on SQLite, where a case variant of a quote is then removed too, which errs on the safe side.
    """
    needles = sorted({text[:NEEDLE_CHARS] for text in texts})
    filters = []
    for start in range(0, len(needles), QUOTES_PER_QUERY):
        matches = Q()
        for needle in needles[start : start + QUOTES_PER_QUERY]:
            for field in fields:
                matches |= Q(**{f"{field}__contains": needle})
        filters.append(matches)
    return filters


def _quotes_remove(texts: list[str]) -> None:
    """Emails and notifications that quoted TEXTS (a question to the mentor, a review comment
    to the hire) lose their body: two UPDATEs per hundred texts, on either database."""
    if not texts:
        return
    for matches in _quoting(("body_text", "body_html"), texts):
        OutboundEmail.objects.filter(matches).update(body_text=QUOTED, body_html="")
    for matches in _quoting(("body", "title"), texts):
        Notification.objects.filter(matches).update(body=QUOTED)


def _enrollment_scrub(enrollment_id: int, *, reason: str) -> bool:
    """Remove the hire's writing from one enrollment; False when it was done before."""
    _, created = EnrollmentAnonymisation.objects.get_or_create(
        enrollment_id=enrollment_id, defaults={"reason": reason}
    )
    _quotes_remove(_enrollment_writing(enrollment_id))
    Submission.objects.filter(enrollment_id=enrollment_id).update(body="", answers={})
    SubmissionRound.objects.filter(submission__enrollment_id=enrollment_id).update(
        body="", answers={}
    )
    ReviewComment.objects.filter(submission__enrollment_id=enrollment_id).update(
        body=ERASED, body_html=ERASED_HTML
    )
    Question.objects.filter(enrollment_id=enrollment_id).update(body=ERASED, body_html=ERASED_HTML)
    QuestionMessage.objects.filter(question__enrollment_id=enrollment_id).update(
        body=ERASED, body_html=ERASED_HTML
    )
    MentorNote.objects.filter(enrollment_id=enrollment_id).delete()
    ItemProgress.objects.filter(enrollment_id=enrollment_id).exclude(rating_comment="").update(
        rating_comment=""
    )
    MeetingRequest.objects.filter(enrollment_id=enrollment_id).update(note="")
    Meeting.objects.filter(enrollment_id=enrollment_id).update(agenda="")
    EnrollmentStateChange.objects.filter(enrollment_id=enrollment_id).update(reason="")
    return created


def enrollment_anonymise(
    *, enrollment: Enrollment, by: User | None, reason: str = "retention"
) -> bool:
    """Remove the hire's writing from ENROLLMENT, keeping every number (see the module doc).

    BY is a program admin, or None for the retention task. Safe to run twice: the
    EnrollmentAnonymisation row is unique per enrollment. Returns True when done now.
    """
    if by is not None and not is_program_admin(by):
        raise PermissionDenied("Only a program admin can anonymise an enrollment.")
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        done = _enrollment_scrub(locked.pk, reason=reason)
        if done:
            audit_record(actor=by, action=AuditAction.ANONYMISE, subject=locked.hire_id, obj=locked)
    return done


def person_erase(*, person: User, by: User | None) -> User:
    """Erase PERSON: their writing and their name and email leave every table (module doc).

    BY is a program admin (never PERSON themself), or None for the retention task. Superusers
    are not erased here (take the flag away first). One transaction. Erasing twice changes
    nothing. The user row stays, anonymous and inactive, so aggregates keep their rows; the
    audit log gets one "erase" event (ids only).
    """
    if by is not None:
        if not is_program_admin(by):
            raise PermissionDenied("Only a program admin can erase a person.")
        if by.pk == person.pk:
            raise ValidationError("You can't erase yourself; ask another program admin.")
    if person.is_superuser:
        raise ValidationError("A superuser can't be erased here; remove the superuser flag first.")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if is_erased(person):
            return person
        mentions = [person.email, person.display_name]
        emails = {person.email.lower()}
        emails |= {
            address.lower()
            for address in EmailAddress.objects.filter(user=person).values_list("email", flat=True)
        }
        for enrollment_id in Enrollment.objects.filter(hire=person).values_list("pk", flat=True):
            _enrollment_scrub(enrollment_id, reason="erasure")
        # What they wrote elsewhere (as a mentor, or in someone else's thread).
        _quotes_remove(_writing_by(person))
        for model in (ReviewComment, QuestionMessage, MentorNote):
            model.objects.filter(author=person).update(body=ERASED, body_html=ERASED_HTML)  # type: ignore[attr-defined]
        Question.objects.filter(asked_by=person).update(body=ERASED, body_html=ERASED_HTML)
        MeetingRequest.objects.filter(requested_by=person).update(note="")
        placeholder = erased_email(person.pk)
        MeetingParticipant.objects.filter(user=person).update(
            name="", email=placeholder, response_note=""
        )
        Notification.objects.filter(recipient=person).delete()
        ReminderDue.objects.filter(user=person).delete()
        CalendarFeed.objects.filter(user=person).delete()
        email_filter = Q()
        for address in emails:
            email_filter |= Q(to__iexact=address)
        OutboundEmail.objects.filter(email_filter).delete()
        invitation_filter = Q(user=person)
        for address in emails:
            invitation_filter |= Q(email__iexact=address)
        Invitation.objects.filter(invitation_filter).update(email=placeholder, display_name="")
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        user_types = ContentType.objects.filter(model__in=["user", "person"])
        LogEntry.objects.filter(content_type__in=user_types, object_id=str(person.pk)).update(
            object_repr=ERASED, change_message=""
        )
        person.email = placeholder
        person.display_name = ""
        person.notification_preferences = {}
        person.is_active = False
        person.is_staff = False
        person.set_unusable_password()
        person.save()
        _mentions_replace(mentions + sorted(emails))
        audit_record(actor=by, action=AuditAction.ERASE, subject=person, obj=person)
    logger.info("person %s erased by %s", person.pk, by.pk if by else "retention")
    return person


def _mention_regex(texts: list[str]) -> re.Pattern[str]:
    """Any of TEXTS, case-insensitively, literally, as whole words; longest first, so an email
    is replaced before the name inside it."""
    alternatives = []
    for text in sorted(texts, key=len, reverse=True):
        prefix = r"(?<!\w)" if re.match(r"\w", text) else ""
        suffix = r"(?!\w)" if re.search(r"\w$", text) else ""
        alternatives.append(prefix + re.escape(text) + suffix)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _json_replace(value, regex: re.Pattern[str]):
    """VALUE (decoded JSON) with every mention in its strings, keys included, replaced."""
    if isinstance(value, str):
        return regex.sub(ERASED, value)
    if isinstance(value, list):
        return [_json_replace(element, regex) for element in value]
    if isinstance(value, dict):
        return {regex.sub(ERASED, key): _json_replace(v, regex) for key, v in value.items()}
    return value


def scrubbable_columns() -> list[tuple[type[models.Model], models.Field]]:
    """Every text, char and JSON column of the apps a person's name may reach."""
    columns: list[tuple[type[models.Model], models.Field]] = []
    for model in apps.get_models():
        if model._meta.app_label not in SCRUBBED_APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.name == "password":
                continue
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                columns.append((model, field))
    return columns


def _mentions_replace(mentions: list[str]) -> None:
    """Replace what is left of MENTIONS (a name, an email) in every scrubbable column.

    Per column, one SELECT finds the rows that hold any mention (case-insensitive LIKE; JSON
    columns as their text), Python rewrites them (whole words only, cut to the column's length)
    and one bulk UPDATE stores them: the same statements on PostgreSQL and SQLite. Strings under
    three characters are left alone (too likely to be part of other words).
    """
    texts = sorted({text.strip() for text in mentions if len(text.strip()) >= 3})
    if not texts:
        return
    regex = _mention_regex(texts)
    for model, field in scrubbable_columns():
        queryset = model._base_manager.all()
        column = field.name
        if isinstance(field, models.JSONField):
            queryset = queryset.annotate(scrubbed_text=Cast(field.name, models.TextField()))
            column = "scrubbed_text"
        matches = Q()
        for text in texts:
            matches |= Q(**{f"{column}__icontains": text})
        changed = []
        for row in queryset.filter(matches).only("pk", field.name):
            value = getattr(row, field.attname)
            if isinstance(field, models.JSONField):
                new = _json_replace(value, regex)
            else:
                new = regex.sub(ERASED, value)[: field.max_length or None]
            if new != value:
                setattr(row, field.attname, new)
                changed.append(row)
        if changed:
            model._base_manager.bulk_update(changed, [field.name], batch_size=500)


# --- retention ---------------------------------------------------------------------------------------

ENDED_STATES = (EnrollmentState.FINISHED, EnrollmentState.WITHDRAWN)


def _retention_cutoff(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=settings.PRIVACY_RETENTION_DAYS)


def _ended_before(queryset, cutoff: datetime.datetime) -> set[int]:
    ended = (
        queryset.filter(state__in=ENDED_STATES)
        .annotate(
            ended_at=Max("state_changes__at", filter=Q(state_changes__to_state__in=ENDED_STATES)),
            last_completed=Max("progress__completed_at"),
        )
        .values_list("pk", "ended_at", "last_completed", "created_at")
    )
    return {
        pk
        for pk, ended_at, last_completed, created_at in ended
        if (ended_at or last_completed or created_at) < cutoff
    }


def enrollments_past_retention(*, now: datetime.datetime | None = None) -> list[int]:
    """Ended (finished or withdrawn) enrollments, not yet anonymised, that ended before the cutoff.

    Ended = the newest state change into finished/withdrawn; an enrollment ended before those
    rows existed counts from its last completed item, or from when it was made.
    """
    cutoff = _retention_cutoff(now or timezone.now())
    pending = Enrollment.objects.filter(anonymisation__isnull=True)
    return sorted(_ended_before(pending, cutoff))


def retention_apply(*, enrollment_id: int, now: datetime.datetime | None = None) -> str:
    """Anonymise one enrollment past retention; erase the hire when nothing else keeps them.

    The hire is erased (not only the enrollment anonymised) when every enrollment of theirs is
    past retention (or anonymised already) and they hold no other role. Checks again under the
    lock, so a second run, or a run racing another, does nothing. Returns "erased",
    "anonymised" or "skipped".
    """
    cutoff = _retention_cutoff(now or timezone.now())
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("hire")
            .filter(pk=enrollment_id, anonymisation__isnull=True)
            .first()
        )
        if enrollment is None:
            return "skipped"
        hire = enrollment.hire
        theirs = Enrollment.objects.filter(hire=hire)
        past = _ended_before(theirs, cutoff)
        if enrollment.pk not in past:
            return "skipped"
        done = set(theirs.filter(anonymisation__isnull=False).values_list("pk", flat=True))
        everything = set(theirs.values_list("pk", flat=True))
        keeps = hire.is_mentor or hire.is_program_admin or hire.is_superuser
        if not keeps and everything <= (past | done):
            person_erase(person=hire, by=None)
            return "erased"
        enrollment_anonymise(enrollment=enrollment, by=None, reason="retention")
        return "anonymised"


def retention_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Apply the retention period to every enrollment past it (the daily task). Idempotent."""
    counts = {"erased": 0, "anonymised": 0, "skipped": 0}
    for enrollment_id in enrollments_past_retention(now=now):
        counts[retention_apply(enrollment_id=enrollment_id, now=now)] += 1
    return counts
