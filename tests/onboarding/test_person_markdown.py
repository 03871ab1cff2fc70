"""Images in what people write (answers, reflections, questions, comments) may only show the
app's own files: a remote image would tell its owner when, and from where, a mentor read it."""

import pytest
from django.urls import reverse

from curriculum.markdown.render import render_markdown, render_person_markdown
from onboarding.services.mentoring import markdown_clean
from tests.onboarding import desk_support

day3 = desk_support.day3
enrollment = desk_support.enrollment
version = desk_support.version

REMOTE = [
    "![pixel](https://tracker.example/p.gif?u=1)",
    "![pixel](http://tracker.example/p.gif)",
    "![pixel](//tracker.example/p.gif)",
    "![pixel](/\\tracker.example/p.gif)",
    '<img src="https://tracker.example/p.gif" alt="pixel">',
    "<img src='//tracker.example/p.gif'>",
    "![pixel](data:image/gif;base64,R0lGODlhAQABAAAAACw=)",
    "![pixel](/static/../../tracker.example/p.gif)",
]


@pytest.mark.parametrize("markdown", REMOTE)
def test_a_remote_image_loses_its_source(markdown):
    html = render_person_markdown(markdown)
    assert "tracker.example" not in html
    assert "data:" not in html
    assert "src=" not in html


@pytest.mark.parametrize("src", ["/static/img/logo.png", "/curriculum/assets/3/diagram.png"])
def test_the_apps_own_images_stay(src):
    assert f'src="{src}"' in render_person_markdown(f"![ours]({src})")


def test_links_and_text_are_kept_and_curriculum_markdown_is_unchanged():
    html = render_person_markdown("See [the docs](https://docs.example/) and **this**.")
    assert 'href="https://docs.example/"' in html and "<strong>this</strong>" in html
    assert "tracker.example" in render_markdown("![x](https://tracker.example/p.gif)")


@pytest.mark.django_db
def test_a_question_or_comment_is_stored_without_the_remote_image():
    text, html = markdown_clean("Look: ![x](https://tracker.example/p.gif)", label="The question")
    assert "tracker.example" in text  # what they wrote is kept, as they wrote it
    assert "tracker.example" not in html


@pytest.mark.django_db
def test_the_mentor_reads_an_answer_without_loading_its_remote_image(
    client, mfa_passed, mentor, enrollment, day3
):
    submission = desk_support.submit_answer(
        enrollment, day3, body="My answer ![x](https://tracker.example/p.gif)"
    )
    mfa_passed(client, mentor)
    response = client.get(reverse("desk:review", kwargs={"submission_id": submission.pk}))
    assert response.status_code == 200
    assert "My answer" in response.content.decode()
    assert "tracker.example" not in response.content.decode()
