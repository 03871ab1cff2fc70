"""A git import asked from the browser may fetch only public hosts: loopback, link-local and
private addresses (by IP or by a name that resolves there) and non-git schemes are refused,
unless CURRICULUM_GIT_ALLOWED_HOSTS names the host."""

import pytest
from django.urls import reverse

from curriculum.importer.errors import ImportRefused
from curriculum.importer.sources import check_git_host, git_url_host
from curriculum.models import ImportRequest, ImportRequestState
from curriculum.services import import_request_create, import_request_run
from tests.support.refused import assert_refused_back

INTERNAL = [
    "https://127.0.0.1/org/repo.git",
    "https://localhost/org/repo.git",
    "ssh://git@10.1.2.3/org/repo.git",
    "git://192.168.0.10/repo.git",
    "https://172.16.5.5/repo.git",
    "https://169.254.169.254/latest/meta-data",  # the cloud metadata service
    "https://[::1]/repo.git",
    "https://[fe80::1]/repo.git",
    "https://[fd00::1]/repo.git",
    "git@127.0.0.1:org/repo.git",
    "https://0.0.0.0/repo.git",
]


def _resolves_to(address: str):
    return lambda host: [address]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url):
    with pytest.raises(ImportRefused, match="loopback, link-local or private"):
        check_git_host(url)


@pytest.mark.parametrize("address", ["127.0.0.2", "10.0.0.1", "169.254.1.1", "::1"])
def test_a_public_looking_name_that_resolves_inside_is_refused(address):
    with pytest.raises(ImportRefused):
        check_git_host("https://git.example.org/r.git", resolve=_resolves_to(address))


def test_a_public_host_and_an_allowed_internal_host_pass():
    check_git_host("https://github.com/org/r.git", resolve=_resolves_to("140.82.121.3"))
    check_git_host("https://10.0.0.7/r.git", allowed_hosts=frozenset({"10.0.0.7"}))
    check_git_host(
        "git@git.corp:org/r.git",
        allowed_hosts=frozenset({"git.corp"}),
        resolve=_resolves_to("10.0.0.7"),
    )


def test_the_host_of_each_url_form():
    assert git_url_host("git@GitHub.com:org/r.git") == "github.com"
    assert git_url_host("https://user:pw@host.example:8443/r.git") == "host.example"
    assert git_url_host("ssh://git@[::1]:22/r.git") == "::1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/r.git", "loopback, link-local or private"),
        ("https://169.254.169.254/r.git", "loopback, link-local or private"),
        ("http://example.com/r.git", "scheme 'http' is not allowed"),
        ("ftp://example.com/r.git", "scheme 'ftp' is not allowed"),
        ("ext::sh -c touch% /tmp/x", "scheme"),
    ],
)
def test_the_service_refuses_and_stores_nothing(admin, url, message):
    with pytest.raises(ImportRefused, match=message):
        import_request_create(requested_by=admin, git_url=url)
    assert not ImportRequest.objects.exists()


@pytest.mark.django_db
def test_the_setting_lets_a_named_internal_host_through(admin, settings):
    settings.CURRICULUM_GIT_ALLOWED_HOSTS = ["10.0.0.7"]
    request = import_request_create(requested_by=admin, git_url="https://10.0.0.7/r.git")
    assert request.state == ImportRequestState.QUEUED


@pytest.mark.django_db
def test_the_worker_checks_again_before_it_clones(admin, settings):
    settings.CURRICULUM_GIT_ALLOWED_HOSTS = ["10.0.0.7"]
    request = import_request_create(requested_by=admin, git_url="https://10.0.0.7/r.git")
    settings.CURRICULUM_GIT_ALLOWED_HOSTS = []  # the host was taken off the list meanwhile

    ran = import_request_run(import_request_id=request.pk)

    assert ran.state == ImportRequestState.REFUSED
    assert "loopback, link-local or private" in ran.errors[0]["message"]


@pytest.mark.django_db
def test_the_import_page_shows_the_refusal(client, mfa_passed, admin):
    mfa_passed(client, admin)
    page = reverse("curriculum:program_list")
    response = client.post(page, {"git_url": "https://127.0.0.1/org/repo.git"})
    assert_refused_back(
        client, response, page, "#import-heading", "loopback, link-local or private"
    )
    assert not ImportRequest.objects.exists()


def test_a_clone_does_not_follow_http_redirects(monkeypatch, tmp_path):
    from curriculum.importer import sources

    calls = []

    def fake_git(args, *, timeout, cwd=None):
        calls.append(args)
        raise ImportRefused("stop here")

    monkeypatch.setattr(sources, "_git", fake_git)
    with pytest.raises(ImportRefused):
        sources.load_git("https://git.example.org/r.git")
    [clone] = calls
    assert clone[0] == "clone"
    assert "http.followRedirects=false" in clone[clone.index("--config") + 1]
