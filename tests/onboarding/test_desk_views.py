"""The mentor's desk through its pages: access, query counts, htmx and plain posts, bad input."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from curriculum.markdown.structure import BlockKind
from curriculum.models import Block, Item
from onboarding.models import (
    Enrollment,
    FaqEntry,
    ItemProgress,
    MentorNote,
    ProgressState,
    Question,
    ReviewComment,
    Submission,
    SubmissionState,
)
from onboarding.selectors.journey import hire_home
from onboarding.services.mentoring import mentor_assign, mentor_note_add, mentor_unassign
from onboarding.services.questions import faq_promote, question_answer, question_ask
from onboarding.services.review import submission_request_changes
from tests.factories import MentorFactory
from tests.onboarding import desk_support
from tests.onboarding.desk_support import submit_reflection
from tests.onboarding.journey_support import generated_version
from tests.support.refused import assert_refused_back

pytestmark = pytest.mark.django_db

# The shared desk fixtures, by name (pytest finds fixtures among a module's attributes).
day1 = desk_support.day1
day3 = desk_support.day3
enrollment = desk_support.enrollment
version = desk_support.version


@pytest.fixture
def submission(enrollment, day1):
    return submit_reflection(enrollment, day1)


@pytest.fixture
def question(enrollment, day1):
    return question_ask(enrollment=enrollment, by=enrollment.hire, item=day1, body="Why?")


@pytest.fixture
def faq_entry(question, mentor):
    return faq_promote(question=question, by=mentor, question_text="Why?", answer="Because.")


def desk_routes(submission, question, faq_entry, enrollment, day1):
    """Every desk route with real ids: (name, method, kwargs)."""
    s, q, e = (
        {"submission_id": submission.pk},
        {"question_id": question.pk},
        {"enrollment_id": enrollment.pk},
    )
    return [
        ("dashboard", "get", {}),
        ("review_queue", "get", {}),
        ("review", "get", s),
        ("review_comment", "post", s),
        ("review_request_changes", "post", s),
        ("review_accept", "post", s),
        ("question_inbox", "get", {}),
        ("question", "get", q),
        ("question_answer", "post", q),
        ("question_resolve", "post", q),
        ("faq_promote", "post", q),
        ("faq_remove", "post", {"entry_id": faq_entry.pk}),
        ("question_ask", "post", {"enrollment_id": enrollment.pk, "item_id": day1.pk}),
        ("mentee", "get", e),
        ("mentor_note_add", "post", e),
        ("mentor_assign", "get", e),
        ("mentor_assign", "post", e),
        ("mentor_unassign", "post", e),
    ]


# Pages where a list has no ids: another mentor gets an empty page, not a 404.
LISTS = {"dashboard", "review_queue", "question_inbox"}
# Routes the hire who owns the data may use: their own question thread and the ask box.
HIRE_OWN = {"question", "question_answer", "question_resolve", "question_ask"}  # not faq_promote

POST_DATA = {
    "body": "Hello",
    "comment": "Change it",
    "question_text": "Q",
    "answer": "A",
    "mentor": "1",
    "role": "primary",
}


def _request(client, name, method, kwargs):
    url = reverse(f"desk:{name}", kwargs=kwargs)
    return getattr(client, method)(url, POST_DATA if method == "post" else None)


def _nothing_written(submission, question):
    submission.refresh_from_db()
    question.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    assert question.state == "open" and not question.messages.exists()
    assert not ReviewComment.objects.exists() and not MentorNote.objects.exists()
    assert FaqEntry.objects.filter(removed_at__isnull=True).count() == 1


# --- access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_mentor", "other_hire", "hire"])
def test_everyone_but_the_mentor_gets_404(
    client, mfa_passed, request, who, submission, question, faq_entry, enrollment, day1
):
    person = request.getfixturevalue(who)
    if person.must_use_mfa:
        mfa_passed(client, person)
    else:
        client.force_login(person)
    for name, method, kwargs in desk_routes(submission, question, faq_entry, enrollment, day1):
        if who == "hire" and name in HIRE_OWN:
            continue  # the hire's own question: tested below
        if who == "other_mentor" and name in LISTS:
            response = _request(client, name, method, kwargs)
            assert response.status_code == 200, name
            assert enrollment.hire.name not in response.content.decode(), name
            continue
        response = _request(client, name, method, kwargs)
        assert response.status_code == 404, (who, name, response.status_code)
    _nothing_written(submission, question)


def test_anonymous_visitors_are_sent_to_log_in(
    client, submission, question, faq_entry, enrollment, day1
):
    for name, method, kwargs in desk_routes(submission, question, faq_entry, enrollment, day1):
        response = _request(client, name, method, kwargs)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name
    _nothing_written(submission, question)


def test_another_users_id_and_a_missing_id_give_the_same_404(
    client, mfa_passed, other_mentor, submission, question, enrollment
):
    mfa_passed(client, other_mentor)
    for name, real in (
        ("review", {"submission_id": submission.pk}),
        ("question", {"question_id": question.pk}),
        ("mentee", {"enrollment_id": enrollment.pk}),
    ):
        missing = {key: 999_999 for key in real}
        theirs = client.get(reverse(f"desk:{name}", kwargs=real))
        nowhere = client.get(reverse(f"desk:{name}", kwargs=missing))
        assert theirs.status_code == nowhere.status_code == 404
        assert theirs.content == nowhere.content


def test_a_reassigned_mentor_loses_access_at_once(
    client, mfa_passed, mentor, other_mentor, admin, submission, question, enrollment
):
    mfa_passed(client, mentor)
    pages = [
        reverse("desk:mentee", args=[enrollment.pk]),
        reverse("desk:review", args=[submission.pk]),
        reverse("desk:question", args=[question.pk]),
        reverse("journey:item", args=[enrollment.pk, submission.item_id]),
    ]
    assert [client.get(page).status_code for page in pages] == [200, 200, 200, 200]
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin)
    assert [client.get(page).status_code for page in pages] == [404, 404, 404, 404]
    assert enrollment.hire.name not in client.get(reverse("desk:dashboard")).content.decode()
    mfa_passed(client, other_mentor)
    assert [client.get(page).status_code for page in pages] == [200, 200, 200, 200]


def test_a_co_mentor_and_a_program_admin_see_the_mentee(
    client, mfa_passed, other_mentor, admin, enrollment
):
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    for person in (other_mentor, admin):
        mfa_passed(client, person)
        assert client.get(reverse("desk:mentee", args=[enrollment.pk])).status_code == 200
        assert enrollment.hire.name in client.get(reverse("desk:dashboard")).content.decode()


def test_only_program_admins_see_the_assignment_form(client, mfa_passed, mentor, admin, enrollment):
    url = reverse("desk:mentor_assign", args=[enrollment.pk])
    mfa_passed(client, mentor)
    assert client.get(url).status_code == 404
    mfa_passed(client, admin)
    assert client.get(url).status_code == 200


def test_a_refused_assignment_goes_back_to_the_form_with_the_role_kept(
    client, mfa_passed, admin, enrollment
):
    mfa_passed(client, admin)
    url = reverse("desk:mentor_assign", args=[enrollment.pk])
    before = list(enrollment.mentor_assignments.values_list("pk", flat=True))
    response = client.post(url, {"mentor": "999999", "role": "co_mentor"})
    # Post/redirect/get: back on the assignment page at its form, the message once.
    html = assert_refused_back(client, response, url, "#assign-heading", "Select a valid choice")
    assert 'value="co_mentor" selected' in html
    assert list(enrollment.mentor_assignments.values_list("pk", flat=True)) == before
    # A hand-made unassign without a mentor goes back to the page too, with its message.
    refused = client.post(reverse("desk:mentor_unassign", args=[enrollment.pk]), {})
    assert (refused.status_code, refused.url) == (302, url + "#current-heading")
    assert "Choose a mentor." in client.get(url).content.decode()


def test_the_hire_reads_and_writes_only_their_own_question_thread(client, hire, question):
    client.force_login(hire)
    assert client.get(reverse("desk:question", args=[question.pk])).status_code == 200
    response = client.post(reverse("desk:question_answer", args=[question.pk]), {"body": "More"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.messages.get().body == "More" and question.state == "open"
    # ...but cannot promote it, or see the desk's nav or the promote form
    html = client.get(reverse("desk:question", args=[question.pk])).content.decode()
    assert "Promote to FAQ" not in html
    response = client.post(
        reverse("desk:faq_promote", args=[question.pk]), {"question_text": "Q", "answer": "A"}
    )
    assert response.status_code == 404
    assert not FaqEntry.objects.exists()


# --- the review flow through the pages ---------------------------------------------------------


def test_review_page_shows_each_prompt_beside_the_answer(
    client, mfa_passed, mentor, submission, day1
):
    mfa_passed(client, mentor)
    html = client.get(reverse("desk:review", args=[submission.pk])).content.decode()
    prompts = Block.objects.filter(item=day1, kind=BlockKind.REFLECTION_PROMPT).order_by("position")
    for number, prompt in enumerate(prompts, start=1):
        assert prompt.title[:30] in html
        assert f"First thoughts on prompt {number}" in html
    assert "Request changes" in html and "Accept" in html


def test_request_changes_then_accept_through_the_pages(
    client, mfa_passed, mentor, submission, enrollment, day1
):
    mfa_passed(client, mentor)
    url = reverse("desk:review_request_changes", args=[submission.pk])
    page = reverse("desk:review", args=[submission.pk])
    # Refused: back on the review page (post/redirect/get), the message by the comment box.
    response = client.post(url, {"comment": "   "})
    assert response.status_code == 302 and response["Location"] == page + "#decide"
    html = client.get(page).content.decode()
    assert "Say what the hire should change" in html
    assert html.index("Say what the hire should change") > html.index('id="decide"')
    assert "Say what the hire should change" not in client.get(page).content.decode()  # once
    response = client.post(url, {"comment": "Tell me **why**."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED
    # Deciding again is refused in words, not a 500, back on the page.
    response = client.post(reverse("desk:review_accept", args=[submission.pk]), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == page + "#decide"
    assert "once the hire resubmits" in client.get(page).content.decode()

    client.force_login(enrollment.hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day1.pk])).content.decode()
    assert "Changes requested" in html and "Tell me <strong>why</strong>." in html
    submit_reflection(enrollment, day1, "Second")

    mfa_passed(client, mentor)
    html = client.get(reverse("desk:review", args=[submission.pk])).content.decode()
    assert "Round 1" in html and "Round 2" in html and "Second on prompt 1" in html
    response = client.post(
        reverse("desk:review_accept", args=[submission.pk]), {"comment": "Great"}
    )
    assert response.status_code == 302
    client.force_login(enrollment.hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day1.pk])).content.decode()
    assert "Accepted" in html and "Great" in html


def test_a_decision_with_htmx_is_refused_in_place_and_done_by_a_client_redirect(
    client, mfa_passed, mentor, submission
):
    mfa_passed(client, mentor)
    htmx = {"HX-Request": "true"}
    url = reverse("desk:review_request_changes", args=[submission.pk])
    response = client.post(url, {"comment": "  "}, headers=htmx)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="decide"')
    assert "Say what the hire should change" in html and "<html" not in html
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED
    response = client.post(url, {"comment": "Name the customer."}, headers=htmx)
    assert response["HX-Redirect"] == reverse("desk:review_queue")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.CHANGES_REQUESTED


def test_review_page_opens_for_a_co_mentor_until_the_assignment_or_the_role_ends(
    client, mfa_passed, other_mentor, admin, enrollment, submission
):
    """The review page checks the mentor against the enrollment row it read (the primary) or an
    open co-mentor assignment; anyone else, or a mentor who lost the role, gets a 404."""
    url = reverse("desk:review", args=[submission.pk])
    mfa_passed(client, other_mentor)
    assert client.get(url).status_code == 404  # not their mentee
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    assert client.get(url).status_code == 200
    mentor_unassign(enrollment=enrollment, mentor=other_mentor, by=admin)
    assert client.get(url).status_code == 404  # the assignment ended
    mentor_assign(enrollment=enrollment, mentor=other_mentor, by=admin, role="co_mentor")
    User.objects.filter(pk=other_mentor.pk).update(is_mentor=False)
    assert client.get(url).status_code == 404  # the role ended


def test_review_comment_with_htmx_swaps_the_thread(client, mfa_passed, mentor, submission):
    mfa_passed(client, mentor)
    url = reverse("desk:review_comment", args=[submission.pk])
    response = client.post(url, {"body": "Nice <script>x</script>"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card review-thread" id="thread"')
    assert "Nice" in html and "<script>" not in html
    # Refused with htmx: the thread in place, the message by the box (200: htmx swaps it).
    response = client.post(url, {"body": ""}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist' in html
    assert html.lstrip().startswith('<section class="card review-thread" id="thread"')
    response = client.post(url, {"body": "Plain post"})
    assert response.status_code == 302
    assert ReviewComment.objects.count() == 2


@pytest.mark.parametrize("body", ["", "x" * 10_001, "\u202eevil"])
def test_bad_input_returns_to_the_page_with_a_message_and_saves_nothing(
    client, mfa_passed, mentor, enrollment, question, body
):
    """Post/redirect/get: the refused post sends the mentor back to the page the form is on,
    where the message stands by the box with what they typed; a refresh shows the page plain."""
    mfa_passed(client, mentor)
    for url, page in (
        (
            reverse("desk:question_answer", args=[question.pk]),
            reverse("desk:question", args=[question.pk]),
        ),
        (
            reverse("desk:mentor_note_add", args=[enrollment.pk]),
            reverse("desk:mentee", args=[enrollment.pk]),
        ),
    ):
        response = client.post(url, {"body": body})
        assert response.status_code == 302, url
        assert response["Location"].split("#")[0] == page
        html = client.get(page).content.decode()
        assert 'class="errorlist' in html, url
        if body:
            assert body[:50] in html  # what they typed is still in the box
        assert 'class="errorlist' not in client.get(page).content.decode()
    assert not MentorNote.objects.exists() and not question.messages.exists()


def test_a_nul_in_the_text_is_a_400_and_saves_nothing(
    client, mfa_passed, mentor, enrollment, question
):
    mfa_passed(client, mentor)
    for url in (
        reverse("desk:question_answer", args=[question.pk]),
        reverse("desk:mentor_note_add", args=[enrollment.pk]),
    ):
        assert client.post(url, {"body": "nul\x00"}).status_code == 400, url
    assert not MentorNote.objects.exists() and not question.messages.exists()


# --- questions and the FAQ through the pages ------------------------------------------------------


def test_hire_asks_from_the_item_page_and_mentor_answers(
    client, mfa_passed, hire, mentor, enrollment, day3
):
    block = Block.objects.filter(item=day3, kind=BlockKind.QUESTION).order_by("position").first()
    client.force_login(hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day3.pk])).content.decode()
    assert "Ask your mentor" in html
    response = client.post(
        reverse("desk:question_ask", args=[enrollment.pk, day3.pk]),
        {"body": "What is *MVCC*?", "block_key": block.key},
    )
    assert response.status_code == 302 and response["Location"].endswith("#questions")
    question = Question.objects.get()
    assert question.block_key == block.key

    response = client.post(
        reverse("desk:question_ask", args=[enrollment.pk, day3.pk]), {"body": "", "block_key": ""}
    )
    assert response.status_code == 302 and Question.objects.count() == 1  # refused, said so

    mfa_passed(client, mentor)
    html = client.get(reverse("desk:question_inbox")).content.decode()
    assert "What is *MVCC*?" in html and block.title[:20] in html
    client.post(reverse("desk:question_answer", args=[question.pk]), {"body": "Versions of rows."})
    response = client.post(
        reverse("desk:faq_promote", args=[question.pk]),
        {"question_text": "What is MVCC?", "answer": "Versions of rows."},
    )
    assert response.status_code == 302
    client.force_login(hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day3.pk])).content.decode()
    assert "Versions of rows." in html and "Questions other hires asked" in html


def test_admin_removes_an_faq_entry(client, mfa_passed, admin, faq_entry, enrollment, day1):
    mfa_passed(client, admin)
    response = client.post(reverse("desk:faq_remove", args=[faq_entry.pk]))
    assert response.status_code == 302
    faq_entry.refresh_from_db()
    assert faq_entry.removed_at is not None
    client.force_login(enrollment.hire)
    html = client.get(reverse("journey:item", args=[enrollment.pk, day1.pk])).content.decode()
    assert "Questions other hires asked" not in html


# --- the mentee page and private notes ------------------------------------------------------------


def test_private_notes_are_never_shown_to_the_hire(client, mfa_passed, mentor, enrollment, day1):
    mentor_note_add(enrollment=enrollment, by=mentor, body="SECRET-NOTE-42")
    mfa_passed(client, mentor)
    assert (
        "SECRET-NOTE-42"
        in client.get(reverse("desk:mentee", args=[enrollment.pk])).content.decode()
    )
    client.force_login(enrollment.hire)
    for url in (
        reverse("home"),
        reverse("journey:item", args=[enrollment.pk, day1.pk]),
    ):
        assert "SECRET-NOTE-42" not in client.get(url).content.decode()


def test_mentee_page_shows_timeline_ratings_and_review_history(
    client, mfa_passed, mentor, enrollment, submission, day1
):
    submission_request_changes(submission=submission, by=mentor, comment="More")
    ItemProgress.objects.filter(enrollment=enrollment, item=day1).update(
        rating=2, rating_comment="The glossary part was unclear", rated_at=timezone.now()
    )
    mfa_passed(client, mentor)
    html = client.get(reverse("desk:mentee", args=[enrollment.pk])).content.decode()
    assert "The glossary part was unclear" in html
    assert "Round 1: changes requested" in html
    assert "Submitted the reflection" in html


def test_mentor_home_panel_lists_mentees_and_links_the_desk(
    client, mfa_passed, mentor, enrollment, submission
):
    mfa_passed(client, mentor)
    html = client.get(reverse("home")).content.decode()
    assert enrollment.hire.name in html and "1 to review" in html
    assert reverse("desk:dashboard") in html


def test_dashboard_puts_people_who_need_attention_first_and_filters(
    client, mfa_passed, mentor, version, day1
):
    quiet, waiting = _mentees(mentor, version, 2, questions=False)
    Submission.objects.create(
        enrollment=waiting,
        item=day1,
        kind="reflection",
        state="submitted",
        round=1,
        submitted_at=timezone.now(),
    )
    Enrollment.objects.filter(pk=quiet.pk).update(start_date=datetime.date.today())
    mfa_passed(client, mentor)
    html = client.get(reverse("desk:dashboard")).content.decode()
    assert html.index(f'data-mentee="{waiting.pk}"') < html.index(f'data-mentee="{quiet.pk}"')
    html = client.get(reverse("desk:dashboard"), {"state": "attention"}).content.decode()
    assert f'data-mentee="{waiting.pk}"' in html and f'data-mentee="{quiet.pk}"' not in html
    html = client.get(
        reverse("desk:dashboard"), {"state": "nonsense", "cohort": "x"}
    ).content.decode()
    assert f'data-mentee="{quiet.pk}"' in html  # unreadable filters fall back, never a 500


# --- query counts ------------------------------------------------------------------------------------


def _mentees(mentor, version, count, *, submissions_each=0, questions=True):
    """COUNT enrollments of fresh hires with MENTOR, built in bulk (services would be too slow)."""
    stamp = User.objects.count()
    hires = User.objects.bulk_create(
        User(email=f"bulk{stamp}-{n}@example.com", display_name=f"Bulk Hire {n}", is_hire=True)
        for n in range(count)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            hire=hire,
            program_id=version.program_id,
            version=version,
            mentor=mentor,
            start_date=datetime.date(2026, 11, 2),
        )
        for hire in hires
    )
    items = list(Item.objects.filter(version=version).order_by("chapter__position", "position"))
    question_blocks = list(
        Block.objects.filter(item__version=version, kind=BlockKind.QUESTION).values_list(
            "item_id", "key"
        )
    )
    now = timezone.now()
    rows, progress, asked = [], [], []
    for enrollment in enrollments:
        progress.append(
            ItemProgress(enrollment=enrollment, item=items[0], state=ProgressState.DONE)
        )
        if questions:
            asked.append(
                Question(enrollment=enrollment, item=items[0], body="Q?", body_html="<p>Q?</p>")
            )
        for n in range(submissions_each):
            item_id, key = question_blocks[n % len(question_blocks)]
            rows.append(
                Submission(
                    enrollment=enrollment,
                    item_id=item_id,
                    kind="answer",
                    block_key=key,
                    body=f"Answer {n}",
                    state="submitted",
                    round=1,
                    submitted_at=now,
                )
            )
    ItemProgress.objects.bulk_create(progress)
    Question.objects.bulk_create(asked)
    Submission.objects.bulk_create(rows)
    return enrollments


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Each page's own queries, on top of what every logged-in request costs (session, user, the MFA
# check...), which `_request_overhead` measures so that these stay the desk's own figures.
# enrollments, their counts, completed items and last activity, cohorts, meetings (a published
# version's items come from the process's cache)
DASHBOARD_QUERIES = 4
QUEUE_QUERIES = 1  # submitted rows with hire and item
INBOX_QUERIES = 1  # questions with hire, item and reply count (+1 when one is anchored to a block)
# The mentee page: enrollment, progress, submissions, rounds, comments, questions, notes, mentors,
# and the audit row recording that someone other than the hire read their writing (issue 8).
MENTEE_QUERIES = 9


def _request_overhead(client, mfa_passed):
    """Queries any desk page costs before its own: an empty review queue, less its one query."""
    nobody = MentorFactory()
    mfa_passed(client, nobody)
    client.get(reverse("desk:review_queue"))
    return _count(client, reverse("desk:review_queue")) - QUEUE_QUERIES


@pytest.mark.query_count("desk:dashboard", "desk:question_inbox")
def test_dashboard_and_inbox_query_counts_are_the_same_for_1_and_50_mentees(
    client, mfa_passed, mentor, other_mentor, version
):
    overhead = _request_overhead(client, mfa_passed)
    _mentees(mentor, version, 1, submissions_each=1)
    _mentees(other_mentor, version, 50, submissions_each=2)
    counts = {}
    for person in (mentor, other_mentor):
        mfa_passed(client, person)
        client.get(reverse("desk:dashboard"))  # warm the session
        counts[person.pk] = (
            _count(client, reverse("desk:dashboard")),
            _count(client, reverse("desk:question_inbox")),
        )
    expected = (overhead + DASHBOARD_QUERIES, overhead + INBOX_QUERIES)
    assert counts[mentor.pk] == counts[other_mentor.pk] == expected


@pytest.mark.query_count("desk:review_queue")
def test_review_queue_query_count_is_the_same_for_1_and_100_submissions(
    client, mfa_passed, mentor, other_mentor, version
):
    overhead = _request_overhead(client, mfa_passed)
    _mentees(mentor, version, 1, submissions_each=1)
    _mentees(other_mentor, version, 10, submissions_each=10)
    assert Submission.objects.filter(enrollment__mentor=other_mentor).count() == 100
    counts = []
    for person in (mentor, other_mentor):
        mfa_passed(client, person)
        client.get(reverse("desk:review_queue"))
        counts.append(_count(client, reverse("desk:review_queue")))
    assert counts == [overhead + QUEUE_QUERIES] * 2


@pytest.mark.query_count("desk:mentee")
def test_mentee_page_query_count_is_the_same_for_1_and_100_submissions(
    client, mfa_passed, mentor, tmp_path
):
    overhead = _request_overhead(client, mfa_passed)
    big_version = generated_version(tmp_path, items=100, goals=1)
    (small,) = _mentees(mentor, big_version, 1, submissions_each=1)
    (big,) = _mentees(mentor, big_version, 1, submissions_each=100)
    assert big.submissions.count() == 100
    mfa_passed(client, mentor)
    client.get(reverse("desk:mentee", args=[small.pk]))
    counts = [_count(client, reverse("desk:mentee", args=[e.pk])) for e in (small, big)]
    # The page embeds the hire's journey summary; its own count is pinned by the journey tests.
    with CaptureQueriesContext(connection) as journey:
        hire_home(enrollment=small)
    assert counts == [overhead + MENTEE_QUERIES + len(journey)] * 2


@pytest.mark.query_count("desk:review")
def test_review_page_query_count_does_not_grow_with_rounds(
    client, mfa_passed, mentor, submission, enrollment, day1
):
    mfa_passed(client, mentor)
    url = reverse("desk:review", args=[submission.pk])
    client.get(url)
    one = _count(client, url)
    for n in range(3):
        submission_request_changes(submission=submission, by=mentor, comment=f"Round {n}")
        submit_reflection(enrollment, day1, f"Try {n}")
    assert _count(client, url) == one


@pytest.mark.query_count("desk:question")
def test_question_thread_query_count_does_not_grow_with_messages(
    client, mfa_passed, mentor, question
):
    mfa_passed(client, mentor)
    url = reverse("desk:question", args=[question.pk])
    client.get(url)
    one = _count(client, url)
    for n in range(5):
        question_answer(question=question, by=mentor, body=f"Answer {n}")
    assert _count(client, url) == one
