"""The outbox: at most once per dedupe key, sent after commit, never failing the request."""

import smtplib

import pytest
from django.core import mail

from onboarding.celery import app as celery_app
from onboarding.models import OutboundEmail
from onboarding.services import email_deliver, email_queue, email_unsent_ids

pytestmark = pytest.mark.django_db


def _queue(key="k1", subject="Hello"):
    return email_queue(to="a@example.com", subject=subject, body_text="Hi", dedupe_key=key)


def test_queue_twice_with_one_key_gives_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue()
        second = _queue()

    assert first.pk == second.pk
    assert len(mail.outbox) == 1


def test_deliver_twice_sends_once():
    email = _queue()
    assert email_deliver(outbound_email_id=email.pk) is True
    assert email_deliver(outbound_email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_subject_line_breaks_cannot_inject_headers():
    email = _queue(subject="Hi\r\nBcc: victim@example.com")
    assert email.subject == "Hi Bcc: victim@example.com"
    email_deliver(outbound_email_id=email.pk)
    assert mail.outbox[0].bcc == []


def test_a_broker_outage_does_not_fail_the_caller(django_capture_on_commit_callbacks):
    celery_app.conf.task_always_eager = False
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            email = _queue()
    finally:
        celery_app.conf.broker_url = original
        celery_app.conf.task_always_eager = True

    assert OutboundEmail.objects.get().sent_at is None
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=email.created_at.replace(year=2000))
    assert email_unsent_ids() == [email.pk]  # the sweep will pick it up


def test_smtp_failure_is_recorded_and_raised_for_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    email = _queue()

    with pytest.raises(OSError):
        email_deliver(outbound_email_id=email.pk)

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error


class _RefusingBackend:
    """An email backend whose server answers with ERROR (a smtplib exception)."""

    error: Exception

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise type(self).error


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = f"{__name__}._RefusingBackend"
    return _RefusingBackend


def test_a_permanent_refusal_is_given_up_at_once_and_leaves_the_sweep(refusing):
    refusing.error = smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")})
    email = _queue()

    assert email_deliver(outbound_email_id=email.pk) is False  # no exception: no retry

    email.refresh_from_db()
    assert email.gave_up_at is not None and email.sent_at is None
    assert "SMTPRecipientsRefused" in email.last_error
    assert email.pk not in email_unsent_ids(older_than_seconds=-60)
    assert email_deliver(outbound_email_id=email.pk) is False  # a stale task sends nothing
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_temporary_refusal_is_retried_until_the_attempts_run_out(refusing, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    refusing.error = smtplib.SMTPResponseException(451, b"Try again later")
    email = _queue()

    for _ in range(2):
        with pytest.raises(smtplib.SMTPResponseException):
            email_deliver(outbound_email_id=email.pk)
        assert email.pk in email_unsent_ids(older_than_seconds=-60)
    assert email_deliver(outbound_email_id=email.pk) is False  # the third failure gives up

    email.refresh_from_db()
    assert email.attempts == 3 and email.gave_up_at is not None
    assert email.pk not in email_unsent_ids(older_than_seconds=-60)
