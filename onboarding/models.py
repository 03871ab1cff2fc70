"""The hire journey's records, and the outbox every outgoing email passes through."""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User


class OutboundEmail(models.Model):
    """One email to send, written in the same transaction as the change that caused it.

    A request never fails because the broker is down: the row is committed with the change,
    a task is enqueued after commit (best effort), and a periodic sweep picks up whatever
    was not sent. `dedupe_key` makes each logical email exist at most once.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)  # an attached calendar invite, when there is one
    dedupe_key = models.CharField(max_length=200)  # unique: see Meta
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set when sending stopped for good: the server refused it permanently (5xx) or it failed
    # OUTBOX_MAX_ATTEMPTS times. Such rows leave the sweep, so they cannot crowd out new ones.
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A constraint rather than unique=True: the same unique index without the second,
            # LIKE-ready copy Django adds for unique text fields (nothing searches keys by prefix,
            # and the reminder sweep writes a few hundred thousand rows at once).
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key_unique"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


# --- The hire's journey ----------------------------------------------------------------------
# Writes go through `onboarding.services`, reads of a hire's data through `onboarding.selectors`.


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday..Friday, as datetime.weekday() counts


class Cohort(models.Model):
    """Hires who start together. Its schedule settings are defaults copied into each enrollment."""

    name = models.CharField(max_length=200)
    start_date = models.DateField()
    pace = models.PositiveSmallIntegerField(default=1)  # items per working day
    working_days = models.JSONField(default=default_working_days)
    holidays = models.JSONField(default=list, blank=True)  # ISO dates: ["2026-12-25"]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pace__gte=1, pace__lte=10), name="cohort_pace_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnrollmentState(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    FINISHED = "finished", "Finished"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrollment(models.Model):
    """A hire in one program version, with a mentor and a schedule.

    The schedule (start date, pace, working days, holidays) is copied from the cohort when the
    enrollment is made and may then differ per hire; `onboarding.schedule` turns it into "today".
    `program` repeats `version.program` so the database can enforce one active enrollment per
    hire per program.
    """

    hire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    program = models.ForeignKey(
        "curriculum.Program", on_delete=models.PROTECT, related_name="enrollments"
    )
    version = models.ForeignKey(
        "curriculum.ProgramVersion", on_delete=models.PROTECT, related_name="enrollments"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentee_enrollments",
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments"
    )
    start_date = models.DateField()
    pace = models.PositiveSmallIntegerField(default=1)
    working_days = models.JSONField(default=default_working_days)
    holidays = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=10, choices=EnrollmentState.choices, default=EnrollmentState.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hire", "program"],
                condition=models.Q(state="active"),
                name="one_active_enrollment_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(pace__gte=1, pace__lte=10), name="enrollment_pace_range"
            ),
        ]
        indexes = [models.Index(fields=["mentor", "state"], name="enrollment_mentor_state")]

    def __str__(self) -> str:
        return f"{self.hire_id} in {self.version_id} ({self.state})"


class ProgressState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_REVIEW = "waiting_review", "Waiting for review"
    DONE = "done", "Done"


class ItemProgress(models.Model):
    """Where one hire is with one item. No row means "not started".

    `completed_at` is set when the hire completes the item; the state is then `waiting_review`
    while a submission waits on the mentor, `done` otherwise.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    item = models.ForeignKey("curriculum.Item", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=20, choices=ProgressState.choices, default=ProgressState.NOT_STARTED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "item"], name="progress_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="progress_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.item_id}: {self.state}"


class BlockCheck(models.Model):
    """A ticked goal, action item or checklist item, or a resource marked read.

    Known by the block's stable key, not its row: a re-import makes new Block rows, and the
    key stays the same wherever the block's text did not change, so moving a hire to a newer
    version carries the check over (matching the item by its source path).
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey("curriculum.Item", on_delete=models.PROTECT, related_name="+")
    block_key = models.CharField(max_length=255)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "item", "block_key"], name="block_check_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.item_id}/{self.block_key}"


class SubmissionKind(models.TextChoices):
    REFLECTION = "reflection", "Reflection"
    ANSWER = "answer", "Answer"


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class Submission(models.Model):
    """A hire's reflection on an item, or their answer to one question, reviewed by the mentor.

    One row per (enrollment, item, kind, block key); a reflection has an empty block key. An
    answer's text is `body`; a reflection keeps one text per prompt key in `answers` and the
    free notes in `body`. `round` counts submissions: it goes up each time the hire submits
    again after the mentor asked for changes.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="submissions")
    item = models.ForeignKey("curriculum.Item", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=SubmissionKind.choices)
    block_key = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    round = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "item", "kind", "block_key"], name="submission_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="answer") & ~models.Q(block_key="")
                | models.Q(kind="reflection", block_key=""),
                name="submission_block_key_by_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrollment", "state"],
                name="submission_waiting",
                condition=models.Q(state="submitted"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.enrollment_id}/{self.item_id} ({self.state})"


# --- The mentor's desk: assignments, reviews, questions, FAQ, private notes -------------------
# Writes go through `onboarding.services.{mentoring,review,questions}`, reads through
# `onboarding.selectors.desk`. Markdown a person types is kept as typed (`body`) and rendered
# once, sanitised, at write time (`body_html`), like curriculum blocks.


class MentorRole(models.TextChoices):
    PRIMARY = "primary", "Mentor"
    CO_MENTOR = "co_mentor", "Co-mentor"


class MentorAssignment(models.Model):
    """Who mentored an enrollment, in which role, from when to when.

    Rows are never deleted: a reassignment ends the old row and starts a new one, so the
    history stays. At most one open primary row per enrollment, and a person holds at most one
    open row per enrollment. `Enrollment.mentor` mirrors the open primary row (kept in step by
    `services.mentoring.mentor_assign`) so that "my mentees" stays a cheap indexed query.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="mentor_assignments"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_assignments"
    )
    role = models.CharField(max_length=10, choices=MentorRole.choices, default=MentorRole.PRIMARY)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=models.Q(role="primary", ended_at__isnull=True),
                name="one_open_primary_mentor",
            ),
            models.UniqueConstraint(
                fields=["enrollment", "mentor"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_assignment_per_mentor",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentor", "enrollment"],
                name="mentor_assignment_open",
                condition=models.Q(ended_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} {self.role} of {self.enrollment_id}"


class ReviewOutcome(models.TextChoices):
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class SubmissionRound(models.Model):
    """One reviewed round of a submission: what the hire sent, and what the mentor decided.

    Written by the review services when the mentor decides, from the submission as it stands
    (it is locked while submitted, so that is exactly what was sent). The round under review
    now is the submission itself; together they are every round of a request-changes cycle.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rounds")
    round = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "round"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "round"], name="submission_round_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} round {self.round}: {self.outcome}"


class ReviewComment(models.Model):
    """A comment in a submission's review thread (the mentor's, or the hire's reply)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="review_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    round = models.PositiveSmallIntegerField()  # the submission's round when it was written
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["submission", "created_at"], name="review_comment_thread")]

    def __str__(self) -> str:
        return f"comment on {self.submission_id} round {self.round}"


class QuestionState(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class Question(models.Model):
    """A hire's question to their mentor, anchored to an item (and a block when asked from one).

    `open` waits on the mentor, `answered` waits on the hire (a reply opens it again),
    `resolved` is closed; anyone in the thread may resolve it.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey("curriculum.Item", on_delete=models.PROTECT, related_name="+")
    block_key = models.CharField(max_length=255, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    state = models.CharField(
        max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["enrollment", "created_at"],
                name="question_open",
                condition=models.Q(state="open"),
            ),
            models.Index(fields=["enrollment", "item"], name="question_item"),
        ]

    def __str__(self) -> str:
        return f"question {self.pk} on {self.item_id} ({self.state})"


class QuestionMessage(models.Model):
    """One message in a question's thread after the question itself."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on question {self.question_id}"


class FaqEntry(models.Model):
    """A question and answer promoted into an item's FAQ, shown to every hire of that item.

    Anchored to the program and the item's source path, not the item row, so the entry stays
    with the item across re-imports (each import makes new Item rows). Removal keeps the row
    (`removed_at`): who promoted and removed what stays on record.
    """

    program = models.ForeignKey(
        "curriculum.Program", on_delete=models.CASCADE, related_name="faq_entries"
    )
    item_source_path = models.CharField(max_length=1000)
    item = models.ForeignKey(  # the item it was promoted from
        "curriculum.Item", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="faq_entries"
    )
    question_text = models.TextField()
    question_html = models.TextField()
    answer = models.TextField()
    answer_html = models.TextField()
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["program", "item_source_path"],
                name="faq_current",
                condition=models.Q(removed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"FAQ {self.pk} on {self.item_source_path}"


class MentorNote(models.Model):
    """A mentor's private note about a mentee. Never shown to the hire: no hire page reads it."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="mentor_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.enrollment_id}"


# --- Meeting requests, version moves, completion policy (issue 4, later slices) ---------------


class MeetingRequestState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ARRANGING = "arranging", "Being arranged"
    BOOKED = "booked", "Booked"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


# "Open" is every state in which the meeting is still wanted or has happened/will happen: a second
# click must find this row, not start another. Declined and cancelled close a request, and the
# hire may ask again.
MEETING_REQUEST_OPEN_STATES = (
    MeetingRequestState.REQUESTED,
    MeetingRequestState.ARRANGING,
    MeetingRequestState.BOOKED,
)
# What the mentor still has to act on (shown under "Waiting on your mentor").
MEETING_REQUEST_WAITING_STATES = (MeetingRequestState.REQUESTED, MeetingRequestState.ARRANGING)


class MeetingRequest(models.Model):
    """A hire asks the mentor to arrange the meeting a block of their day calls for.

    Anchored like a check: enrollment, item, and the block's stable key. The meetings issue adds
    the arranging and booking on top (participants, time, invite); this row is only the ask and
    where it stands. At most one open request per enrollment and block (a partial unique
    constraint), so a double click cannot ask twice.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="meeting_requests"
    )
    item = models.ForeignKey("curriculum.Item", on_delete=models.PROTECT, related_name="+")
    block_key = models.CharField(max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)  # what the hire hopes to get out of it, in their words
    state = models.CharField(
        max_length=10, choices=MeetingRequestState.choices, default=MeetingRequestState.REQUESTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "item", "block_key"],
                condition=models.Q(state__in=["requested", "arranging", "booked"]),
                name="meeting_request_one_open",
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrollment", "state"],
                name="meeting_request_waiting",
                condition=models.Q(state__in=["requested", "arranging"]),
            ),
        ]

    def __str__(self) -> str:
        return f"meeting {self.enrollment_id}/{self.item_id}/{self.block_key} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in MEETING_REQUEST_OPEN_STATES


class EnrollmentMove(models.Model):
    """A hire moved by a program admin from one version of their program to a newer one.

    Kept so that "this day changed since you finished it" can compare an item with the version
    the hire finished it on, and so that who moved whom, when, stays on record.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="moves")
    from_version = models.ForeignKey(
        "curriculum.ProgramVersion", on_delete=models.PROTECT, related_name="+"
    )
    to_version = models.ForeignKey(
        "curriculum.ProgramVersion", on_delete=models.PROTECT, related_name="+"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    # What was carried over and what stayed behind: {"items": n, "items_left": [source, ...]}.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["moved_at"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: v{self.from_version_id} -> v{self.to_version_id}"


class CompletionPolicy(models.Model):
    """How strict completing an item is, per curriculum Program.

    Keyed by Program rather than a field on Cohort: the rule is about what the program's days
    demand, so it must hold for every hire in the program, including those enrolled without a
    cohort, and survive re-imports (a new ProgramVersion) unchanged. It lives in onboarding, not
    curriculum, because it governs the hire's journey, not the authored content. No row means
    the strict default (both required).
    """

    program = models.OneToOneField(
        "curriculum.Program", on_delete=models.CASCADE, related_name="completion_policy"
    )
    require_action_items = models.BooleanField(
        default=True, help_text="Action items must be checked before an item can be completed."
    )
    require_reflection = models.BooleanField(
        default=True,
        help_text="The reflection (when an item has prompts) must be submitted before completing.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "completion policies"

    def __str__(self) -> str:
        return f"completion policy of {self.program_id}"


# --- Notifications and reminders (issue 7) ----------------------------------------------------
# Writes go through `onboarding.services.notifications`, reads through
# `onboarding.selectors.notifications`. Due times live here, in PostgreSQL, never in Redis: a
# sweep that beat starts every minute claims what is due (`select_for_update(skip_locked=True)`).


class Notification(models.Model):
    """One thing a person is told, in the app and/or by email, at most once.

    `dedupe_key` is unique and spells recipient, rule and occurrence (`u12:daily_item:2026-03-30`),
    so a rule run twice, two sweeps at once or a task delivered twice write one row. The
    channels are decided when the row is written, from the person's preferences. An email that
    is owed waits in `email_due_at` (now, or the start of the person's working hours, or their
    digest time) until a sweep writes it to the outbox and links it in `email`; several
    notifications share one email when they went out as a digest.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # `notification_list` starts with it
    )
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200)  # unique: see Meta
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)  # a path inside the app
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email = models.ForeignKey(
        OutboundEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        # The database keeps its constraint although checking 300,000 links at commit costs the
        # worst-case sweep 1.5 s (bench_sweep): a link to a missing email would be a silent loss.
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True, in_app=True),
            ),
            models.Index(
                fields=["email_due_at"],
                name="notification_email_owed",
                condition=models.Q(email__isnull=True, email_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.pk})"


class ReminderDue(models.Model):
    """When a person's next time-of-day reminder is due (their local 09:00, Monday's summary).

    One row per (person, rule). The sweep claims rows whose `due_at` (UTC) has passed, sends,
    and moves `due_at` to the next occurrence computed in the person's IANA zone, so a
    daylight-saving change moves the UTC instant and never the local hour.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_due",
        # `reminder_due_unique` (user, rule) starts with it and serves every lookup by person;
        # a second index would only cost the sweep, which moves every claimed row (non-HOT).
        db_index=False,
    )
    rule = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "rule"], name="reminder_due_unique"),
        ]
        indexes = [models.Index(fields=["due_at"], name="reminder_due_at")]

    def __str__(self) -> str:
        return f"{self.rule} for {self.user_id} at {self.due_at:%Y-%m-%d %H:%M}Z"


class RuleCursor(models.Model):
    """How far a rule that scans recent events (new submissions, overdue reviews) has looked.

    One row per rule; a sweep claims it with `skip_locked`, so one sweep at a time scans a rule,
    looks at what happened since `scanned_until` (with a small overlap: a transaction may commit
    rows stamped a little earlier; the notifications' unique keys absorb the overlap).
    """

    rule = models.CharField(max_length=40, unique=True)
    scanned_until = models.DateTimeField()
    next_due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.rule} scanned until {self.scanned_until:%Y-%m-%d %H:%M}Z"


# --- Meetings: client teams, meetings, participants, bookings, calendar feeds (issue 6) -------
# Writes go through `onboarding.services.meetings`, reads through `onboarding.selectors.meetings`;
# the pure slot arithmetic is `onboarding.scheduling`.


def _validate_zone(value: str) -> None:
    from accounts.validators import validate_time_zone

    validate_time_zone(value)


class ClientTeam(models.Model):
    """A client team a hire may meet: its contacts have no account, only an email address.

    Its working week (hours in its own zone, days, dates away) is every contact's availability.
    """

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[_validate_zone])
    working_hours_start = models.TimeField(default=datetime.time(9, 0))
    working_hours_end = models.TimeField(default=datetime.time(17, 0))
    working_days = models.JSONField(default=default_working_days)
    days_away = models.JSONField(default=list, blank=True)  # ISO dates in the team's zone
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(working_hours_start__lt=models.F("working_hours_end")),
                name="client_team_working_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClientContact(models.Model):
    """A person of a client team, reached by email (signed links stand in for a login)."""

    team = models.ForeignKey(ClientTeam, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "team", Lower("email"), name="client_contact_email_unique_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class MeetingState(models.TextChoices):
    SCHEDULING = "scheduling", "Finding a time"
    BOOKED = "booked", "Booked"
    RESCHEDULING = "rescheduling", "Finding a new time"
    FAILED = "failed", "No time found"
    CANCELLED = "cancelled", "Cancelled"


# A worker has something to do for the meeting in these states (`meeting_schedule`).
MEETING_SEARCH_STATES = (MeetingState.SCHEDULING, MeetingState.RESCHEDULING)
# The meeting holds a time in these states (its participants' bookings exist).
MEETING_HOLDS_TIME_STATES = (MeetingState.BOOKED, MeetingState.RESCHEDULING)


def meeting_uid() -> str:
    return f"{uuid.uuid4()}@onboarding"


class Meeting(models.Model):
    """A meeting the mentor arranges for a hire; a worker finds and books its time.

    `uid` never changes (calendars match updates by it); `sequence` goes up each time the
    invite changes (a new time, a cancellation). `search_round` counts arrange/reschedule
    requests, so each round's emails have their own dedupe keys. The time is [starts_at,
    ends_at) in UTC; the bookings that make it exclusive are `MeetingBooking` rows.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="meetings")
    request = models.ForeignKey(
        MeetingRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_team = models.ForeignKey(
        ClientTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    agenda = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField()
    window_start = models.DateTimeField()  # the search window, UTC
    window_end = models.DateTimeField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=12, choices=MeetingState.choices, default=MeetingState.SCHEDULING
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    uid = models.CharField(max_length=255, unique=True, default=meeting_uid)
    sequence = models.PositiveIntegerField(default=0)
    search_round = models.PositiveIntegerField(default=1)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="meeting_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(window_start__lt=models.F("window_end")),
                name="meeting_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True, ends_at__isnull=True)
                | models.Q(starts_at__lt=models.F("ends_at")),
                name="meeting_time_ordered",
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "state"], name="meeting_enrollment_state")]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"

    @property
    def holds_time(self) -> bool:
        return self.state in MEETING_HOLDS_TIME_STATES and self.starts_at is not None


class MeetingResponse(models.TextChoices):
    NEEDS_ACTION = "needs_action", "No answer yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NEW_TIME = "new_time", "Asked for another time"


class MeetingParticipant(models.Model):
    """Someone invited to a meeting: a user, or a client contact (no account).

    Name and email are copied when invited, so the invite and its signed links keep working
    if the contact is later edited or removed. `link_uses` goes up on each answer through a
    signed link: a link carries the count it was made for, so a used link is refused.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_participations",
    )
    contact = models.ForeignKey(
        ClientContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField()
    time_zone = models.CharField(max_length=64, default="UTC")  # shown to them in invites
    is_organiser = models.BooleanField(default=False)
    response = models.CharField(
        max_length=12, choices=MeetingResponse.choices, default=MeetingResponse.NEEDS_ACTION
    )
    response_note = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    link_uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-is_organiser", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="meeting_participant_user_once",
            ),
            models.UniqueConstraint(
                "meeting", Lower("email"), name="meeting_participant_email_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.meeting_id} ({self.response})"

    @property
    def person_key(self) -> str:
        """Who holds the calendar: a user by id, anyone else by email (one person, one diary)."""
        return f"user:{self.user_id}" if self.user_id else f"email:{self.email.lower()}"


class TsTzRange(models.Func):
    """PostgreSQL's tstzrange(start, end, bounds): the booking's time as a range, for the
    exclusion constraint only (the columns stay two plain datetimes, which SQLite can store)."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class MeetingBooking(models.Model):
    """A person's time held by a booked meeting: [starts_at, ends_at) in UTC, the meeting itself.

    Buffers are not stored: the slot finder keeps them clear when it searches, and the
    constraint below guarantees the one thing that must never happen, an overlap.

    On PostgreSQL an exclusion constraint (btree_gist) forbids two overlapping rows for the
    same person, so two workers booking at once cannot both win: the loser's insert fails and
    it searches again. Other databases (the SQLite embedded default) have no such constraint;
    the service still checks for overlaps, which is enough where writes are serialised.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="bookings")
    person = models.CharField(max_length=300)  # MeetingParticipant.person_key
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="meeting_booking_ordered",
            ),
            ExclusionConstraint(
                name="meeting_booking_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (
                        TsTzRange("starts_at", "ends_at", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_at"], name="meeting_booking_person")]

    def __str__(self) -> str:
        return f"{self.person} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"


class CalendarFeed(models.Model):
    """A person's private calendar-feed URL: whoever holds the token reads their meetings.

    Only the token's SHA-256 is stored, so a copy of the database (a backup, a read replica)
    opens nobody's calendar; the token itself is shown once, when it is made. Revoking deletes
    the row; a new token is a new row, so an old URL stops working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set on the instance calendar_feed_create returns, never stored or read back.
    token: str = ""

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"

    @staticmethod
    def hash_token(token: str) -> str:
        # A random 256-bit token needs no salt or slow hash: there is nothing to guess.
        return hashlib.sha256(token.encode()).hexdigest()


# --- Program admin: enrollment history, the audit log, privacy (issue 8) ----------------------
# Writes go through `onboarding.services.{people,cohorts,privacy}`, reads through
# `onboarding.selectors.{people,analytics}`; `onboarding.audit.audit_read` records reads.


class EnrollmentStateChange(models.Model):
    """One move of an enrollment between states (pause, resume, finish, withdraw), with who and why.

    Rows are only ever added. The newest change to `finished`/`withdrawn` is when the enrollment
    ended, which starts the retention clock (`settings.PRIVACY_RETENTION_DAYS`).
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=10, choices=EnrollmentState.choices)
    to_state = models.CharField(max_length=10, choices=EnrollmentState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["to_state", "at"], name="enrollment_change_state_at")]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.from_state} -> {self.to_state}"


class AuditAction(models.TextChoices):
    READ = "read", "Read"
    EXPORT = "export", "Exported"
    CHANGE = "change", "Changed"
    IMPORT = "import", "Imported"
    ERASE = "erase", "Erased"
    ANONYMISE = "anonymise", "Anonymised"


class AuditEvent(models.Model):
    """Who read or changed a person's writing or enrollment: actor, action, subject, object, when.

    Ids only, never names or text, so erasing a person leaves this log readable and free of
    their personal data (the subject row itself is anonymised, not deleted). `actor` is null
    for the system (the retention task).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
    )
    object_type = models.CharField(max_length=40)  # "submission", "enrollment", "export.json"...
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=200, blank=True)  # what changed, in ids/states only
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-at"], name="audit_subject_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.object_type}:{self.object_id}"


class EnrollmentAnonymisation(models.Model):
    """Marks an enrollment whose writing was removed (erasure or retention): done once.

    The unique enrollment makes the retention task safe to run twice.
    """

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="anonymisation"
    )
    reason = models.CharField(max_length=20)  # "erasure" or "retention"
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.enrollment_id} anonymised ({self.reason})"


class Person(User):
    """A person seen from the privacy side: the Django admin's erase action lives here.

    A proxy (no table of its own): accounts' user admin stays as it is.
    """

    class Meta:
        proxy = True
        verbose_name = "person (privacy)"
        verbose_name_plural = "people (privacy)"
