"""Git imports asked for in the browser run on a worker; the page follows the outcome."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from curriculum.models import ImportRequest, ProgramVersion
from curriculum.services import import_request_create, import_request_run
from tests.support.celery_worker import celery_worker
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin, mfa_passed):
    return mfa_passed(client, admin)


def test_a_git_url_is_queued_and_the_browser_sent_to_its_status_page(
    admin_client,
    bare_repo,
    django_capture_on_commit_callbacks,
):
    bare, _, _ = bare_repo
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("curriculum:program_list"), {"git_url": f"file://{bare}", "ref": "next"}
        )

    request = ImportRequest.objects.get()
    assert response["Location"] == reverse("curriculum:import_request_detail", args=[request.pk])
    assert len(callbacks) == 1  # the task is enqueued after commit
    page = admin_client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in page
    assert 'http-equiv="refresh"' in page


def test_running_the_request_imports_and_the_page_redirects_to_the_version(
    admin_client,
    admin,
    bare_repo,
):
    bare, _, next_sha = bare_repo
    request = import_request_create(requested_by=admin, git_url=f"file://{bare}", ref="next")

    import_request_run(import_request_id=request.pk)
    again = import_request_run(import_request_id=request.pk)  # a second delivery

    assert again is None
    version = ProgramVersion.objects.get()
    assert version.source_commit == next_sha
    response = admin_client.get(reverse("curriculum:import_request_detail", args=[request.pk]))
    assert response["Location"] == reverse("curriculum:version_detail", args=[version.pk])


def test_a_refused_import_shows_why(admin_client, admin, tmp_path):
    request = import_request_create(requested_by=admin, git_url=f"file://{tmp_path}/none.git")

    import_request_run(import_request_id=request.pk)

    page = admin_client.get(reverse("curriculum:import_request_detail", args=[request.pk]))
    assert "was refused" in page.content.decode()
    assert not ProgramVersion.objects.exists()


def test_file_urls_are_refused_from_the_browser_in_production(admin_client, settings, tmp_path):
    settings.CURRICULUM_WEB_ALLOWS_FILE_GIT_URLS = False

    page = reverse("curriculum:program_list")
    response = admin_client.post(page, {"git_url": f"file://{tmp_path}/repo.git"})

    assert_refused_back(
        admin_client, response, page, "#import-heading", "only be imported from the command line"
    )
    assert not ImportRequest.objects.exists()


def test_the_sweep_requeues_lost_and_stuck_requests(admin):
    from curriculum.services import import_requests_to_retry

    lost = import_request_create(requested_by=admin, git_url="https://example.com/a.git")
    stuck = import_request_create(requested_by=admin, git_url="https://example.com/b.git")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    ImportRequest.objects.filter(pk=lost.pk).update(created_at=long_ago)
    ImportRequest.objects.filter(pk=stuck.pk).update(
        state="running", started_at=long_ago, created_at=long_ago
    )

    assert sorted(import_requests_to_retry()) == sorted([lost.pk, stuck.pk])


def test_other_people_cannot_see_import_requests(client, admin, hire):
    request = import_request_create(requested_by=admin, git_url="https://example.com/a.git")
    client.force_login(hire)
    url = reverse("curriculum:import_request_detail", args=[request.pk])
    assert client.get(url).status_code == 404


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_clones_and_imports(admin, bare_repo):
    from onboarding.celery import app as celery_app

    bare, main_sha, _ = bare_repo
    celery_app.conf.task_always_eager = False
    try:
        with celery_worker():
            request = import_request_create(requested_by=admin, git_url=f"file://{bare}")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                request.refresh_from_db()
                if request.finished:
                    break
                time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = True

    assert request.state == "imported"
    assert request.version.source_commit == main_sha
