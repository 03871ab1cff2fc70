"""The outbox: at most once per dedupe key, sent after commit, never failing the request."""

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
