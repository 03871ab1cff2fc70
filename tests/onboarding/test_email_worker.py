"""Email through the real parts: commit -> Redis -> a Celery worker process -> an SMTP server."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import invitation_create
from onboarding.celery import app as celery_app
from onboarding.models import OutboundEmail
from tests.support.celery_worker import celery_worker, wait_for_tasks
from tests.support.smtp_sink import SmtpSink, body_text

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def real_broker():
    """Send tasks to Redis for real (the unit tests run them eagerly)."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_invitation_email_is_sent_by_a_worker_after_commit(admin, smtp_sink, real_broker):
    with celery_worker(email_url=smtp_sink.url):
        invitation = invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)

        [message] = smtp_sink.wait_for(1)

    assert message["To"] == "nora@example.com"
    assert "invited" in message["Subject"]
    assert reverse("accounts:invitation_accept", args=[invitation.key]) in body_text(message)
    assert OutboundEmail.objects.get().sent_at is not None


def test_an_email_delivered_twice_is_sent_once(admin, smtp_sink, real_broker):
    from onboarding.tasks import outbound_email_send

    with celery_worker(email_url=smtp_sink.url) as worker:
        invitation_create(invited_by=admin, email="nora@example.com", role=Role.HIRE)
        smtp_sink.wait_for(1)
        email_id = OutboundEmail.objects.get().pk
        duplicates = [outbound_email_send.delay(email_id).id for _ in range(2)]
        # The worker's own word that it ran both: the count below is after them.
        wait_for_tasks(worker, duplicates)

    assert len(smtp_sink.messages) == 1
