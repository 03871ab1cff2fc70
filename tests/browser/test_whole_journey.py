"""The whole journey of issue 15, in Chromium, from an empty install: nothing but the migrations
and a first program admin made the way a fresh install makes one (`manage.py create_admin`).

Everything after that happens in the browser, by clicking what a person sees: the admin imports
the demo program (its folder zipped, as a person would upload it), publishes it, invites a mentor
and a hire with an enrollment; the mentor accepts and sets up TOTP; the hire accepts from the
email's link, lands logged in on day one, ticks, answers, reflects and asks for the client-team
meeting; the mentor arranges it (creating the client team from the arrange page) and requests
changes on an answer; the hire sees that first on home and revises; the mentor accepts; the
admin's funnel moves. The only addresses typed are the login page and the links in emails.

The run fails on any 4xx/5xx response and any console error or uncaught exception in any of the
three browsers, collected as they happen and asserted at the end (and after each person's part,
so the first failure names its step). Tasks run eagerly (the test settings); emails land in
Django's outbox.
"""

import datetime
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.onboarding.meetings_support import next_week_monday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient_expect():
    """Three browsers and a live server share two busy cores: each step gets room (not a
    sleep: an expectation still returns the moment it holds)."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=None)


DEMO = Path(__file__).resolve().parents[2] / "curriculum" / "demo" / "program"
ADMIN_EMAIL = "root@lighthouse.example"
ADMIN_PASSWORD = "first-admin-pass-phrase-19"
MENTOR_EMAIL = "mira@lighthouse.example"
HIRE_EMAIL = "nora@lighthouse.example"
PASSWORD = "a-long-enough-pass-phrase-42"


class Watch:
    """Every 4xx/5xx response, console error and uncaught exception in the pages of a context."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, context: BrowserContext, who: str) -> None:
        context.on("page", lambda page: self._page(page, who))

    def _page(self, page: Page, who: str) -> None:
        page.on(
            "response",
            lambda r: (
                self.problems.append(f"{who}: HTTP {r.status} {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"{who}: console {m.type} at {page.url}: {m.text}")
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"{who}: page error {page.url}: {e}"))

    def check(self, step: str) -> None:
        assert not self.problems, f"after {step}:\n" + "\n".join(self.problems)


def _totp(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


# The innermost elements that stick out past the right edge of the window (outside any box
# that scrolls sideways on its own): what makes a page scroll sideways on a phone.
_WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    let p = e.parentElement, clipped = false;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') { clipped = true; break; }
      p = p.parentElement;
    }
    if (!clipped && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
      out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className}: right ${Math.round(box.right)}`);
  }
  return out.slice(0, 8);
}"""


def _shoot(page: Page, screenshot_dir: Path, name: str) -> None:
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        wider = page.evaluate(_WIDER_THAN_VIEWPORT)
        assert not wider, f"{name} scrolls sideways at {size['width']} px: {wider}"
        page.screenshot(path=str(screenshot_dir / f"whole-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    _clear_empty_styles(page)


def _link_in_last_email_to(live_server, email: str) -> str:
    """The first link of the newest email to EMAIL, on the live server (the email's host is
    the configured SITE_URL)."""
    messages = [m for m in mail.outbox if email in m.to]
    assert messages, f"no email to {email}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    found = re.search(r"https?://\S+", messages[-1].body)
    assert found, messages[-1].body
    parts = urlsplit(found.group(0))
    return live_server.url + parts.path + (f"?{parts.query}" if parts.query else "")


def _log_in(page: Page, live_server, email: str, password: str) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def _enrol_totp(page: Page) -> None:
    """The product sends mentors and admins to set up TOTP first: read the secret, answer."""
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(_totp(secret))
    page.get_by_role("button", name=re.compile("Activate")).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))


def _choose(select, text: str) -> None:
    """Pick the option whose label contains TEXT, as a person reads the dropdown."""
    option = select.locator("option", has_text=text)
    expect(option).to_have_count(1)
    select.select_option(option.get_attribute("value"))


def _demo_zip(folder: Path) -> Path:
    archive = folder / "lighthouse.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(DEMO.rglob("*")):
            if path.is_file():
                handle.write(path, Path("lighthouse") / path.relative_to(DEMO))
    return archive


def _clear_empty_styles(page: Page) -> None:
    """Playwright's screenshot (hiding the caret) leaves an empty style="" on fields; htmx's
    settle copies it onto swapped-in fields, which the CSP then reports. Not the page's doing."""
    page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )


def _funnel_completed(page: Page, label: str) -> str:
    row = page.get_by_role("region", name=re.compile("^The figures")).locator(
        "tr", has=page.get_by_role("rowheader", name=label)
    )
    return row.locator("td").nth(1).inner_text()


def test_whole_journey_from_an_empty_install(browser, live_server, screenshot_dir, tmp_path):
    from accounts.models import User

    assert not User.objects.exists()
    # A fresh install's first admin, made the way the README says (manage.py create_admin).
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ONBOARDING_ADMIN_PASSWORD", ADMIN_PASSWORD)
        call_command("create_admin", ADMIN_EMAIL, name="Ada Admin", verbosity=0)

    watch = Watch()
    contexts = {}
    for who in ("admin", "mentor", "hire"):
        contexts[who] = browser.new_context(viewport=DESKTOP, timezone_id="Europe/London")
        watch.attach(contexts[who], who)
    admin = contexts["admin"].new_page()
    mentor = contexts["mentor"].new_page()
    hire = contexts["hire"].new_page()

    # 1. The first admin logs in and sets up TOTP, as every program admin must.
    _log_in(admin, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    _enrol_totp(admin)
    admin.get_by_role("link", name="Home", exact=True).first.click()
    _shoot(admin, screenshot_dir, "01-admin-home-empty")
    watch.check("1. the admin logs in and sets up TOTP")

    # 2. Imports the demo program and publishes it.
    # The empty home says what to do first.
    admin.get_by_role("link", name="Import or publish one").click()
    admin.get_by_label("Upload a .zip or a .md file").set_input_files(str(_demo_zip(tmp_path)))
    admin.get_by_role("button", name="Import").click()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Publish version 1").click()
    expect(admin.get_by_text("is now the one new hires start on")).to_be_visible()
    _shoot(admin, screenshot_dir, "02-admin-published")
    watch.check("2. the admin imports and publishes the demo program")

    # 3. Invites a mentor.
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Manage").click()
    admin.get_by_role("link", name="Invitations").first.click()
    admin.get_by_label("Email:", exact=True).fill(MENTOR_EMAIL)
    admin.get_by_label("Name (optional)").fill("Mira Mentor")
    admin.get_by_label("Role:", exact=True).select_option("mentor")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {MENTOR_EMAIL}")).to_be_visible()
    watch.check("3. the admin invites a mentor")

    # 4. The mentor accepts from the email and sets up TOTP.
    mentor.goto(_link_in_last_email_to(live_server, MENTOR_EMAIL))
    mentor.get_by_label("Choose a password").fill(PASSWORD)
    mentor.get_by_label("Type it again").fill(PASSWORD)
    mentor.get_by_role("button", name="Create my account").click()
    _enrol_totp(mentor)
    _shoot(mentor, screenshot_dir, "04-mentor-after-totp")
    watch.check("4. the mentor accepts and sets up TOTP")

    # 5. The admin invites the hire into the program with the mentor.
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Manage").click()
    admin.get_by_role("link", name="Invitations").first.click()
    admin.get_by_label("Email:", exact=True).fill(HIRE_EMAIL)
    admin.get_by_label("Name (optional)").fill("Nora New")
    admin.get_by_label("Role:", exact=True).select_option("hire")
    _choose(admin.get_by_label("Program:", exact=True), "Lighthouse")
    _choose(admin.get_by_label("Mentor (optional):", exact=True), "Mira Mentor")
    _shoot(admin, screenshot_dir, "05-admin-invites-hire")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {HIRE_EMAIL}; enrolled in")).to_be_visible()
    watch.check("5. the admin invites the hire with an enrollment")

    # 6. Before anyone works: the funnel shows nobody has completed Day 00.
    admin.get_by_role("link", name="Home", exact=True).first.click()
    admin.get_by_role("link", name="Analytics").first.click()
    admin.get_by_role("link", name="Completion funnel").click()
    expect(admin.get_by_text("1 hire enrolled")).to_be_visible()
    assert _funnel_completed(admin, "Day 00") == "0"
    watch.check("6. the admin reads the funnel before")

    # 7. The hire accepts from the email and lands, logged in, on day one.
    hire.goto(_link_in_last_email_to(live_server, HIRE_EMAIL))
    hire.get_by_label("Choose a password").fill(PASSWORD)
    hire.get_by_label("Type it again").fill(PASSWORD)
    _shoot(hire, screenshot_dir, "07-hire-accepts")
    hire.get_by_role("button", name="Create my account").click()
    expect(hire).to_have_url(re.compile(r"/journey/\d+/items/\d+/$"))
    expect(hire.get_by_role("heading", level=1).first).to_contain_text("Day 00")
    expect(hire.get_by_text("Successfully signed in as Nora New")).to_be_visible()
    _shoot(hire, screenshot_dir, "07-hire-day-one")
    watch.check("7. the hire accepts and lands on day one")

    # 8. Ticks Day 00, submits its reflection, completes it and moves on to Day 01.
    for kind in ("goal", "action_item", "checklist_item"):
        blocks = hire.locator(f"[data-block-kind={kind}]")
        for index in range(blocks.count()):
            box = blocks.nth(index).get_by_role("checkbox")
            box.click()
            expect(blocks.nth(index).get_by_role("checkbox")).to_have_attribute(
                "aria-checked", "true"
            )
    reflection = hire.locator("#reflection")
    fields = reflection.locator("textarea")
    for index in range(fields.count() - 1):  # the last one is the optional notes
        fields.nth(index).fill(f"Day 00, my answer to prompt {index + 1}.")
    reflection.get_by_role("button", name="Submit reflection").click()
    expect(hire.get_by_text("Reflection sent to your mentor.")).to_be_visible()
    hire.get_by_role("button", name="Complete day").click()
    expect(hire.get_by_role("heading", name="Completed ✓")).to_be_visible()
    hire.get_by_label("5").check()
    _shoot(hire, screenshot_dir, "08-hire-day-done")
    hire.get_by_role("button", name="Rate and go to the next item").click()
    expect(hire.get_by_role("heading", level=1, name=re.compile("Day 01"))).to_be_visible()
    watch.check("8. the hire ticks, reflects and completes Day 00")

    # 9. On Day 01: answers the first question and asks for the client-team meeting.
    question = hire.locator("[data-block-kind=question]").first
    question.get_by_role("textbox", name="Your answer").fill("Clinics pay us.")
    question.get_by_role("button", name="Submit answer").click()
    expect(hire.locator("[data-block-kind=question]").first).to_contain_text("Clinics pay us.")
    meeting = hire.locator("[data-block-kind=meeting_request]").first
    meeting.get_by_label("What would you like from it? (optional)").fill("A morning, please.")
    meeting.get_by_role("button", name="Request this meeting").click()
    expect(hire.locator("[data-block-kind=meeting_request]").first).to_contain_text(
        "Meeting requested"
    )
    _shoot(hire, screenshot_dir, "09-hire-day-01-asked")
    watch.check("9. the hire answers and requests the client-team meeting")

    # 10. The mentor arranges it, adding the client team from the arrange page (none yet).
    mentor.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    mentor.get_by_role("region", name="Requests to arrange").get_by_role(
        "link", name="Arrange"
    ).click()
    expect(mentor.get_by_label("Title")).to_have_value(re.compile("Nora New"))
    monday = next_week_monday()
    mentor.get_by_label("Earliest day").fill(monday.isoformat())
    mentor.get_by_label("Latest day").fill((monday + datetime.timedelta(days=4)).isoformat())
    # No team yet: the page says so and has the form to add one open already.
    expect(mentor.locator("[data-no-client-teams]")).to_contain_text("No client teams yet.")
    expect(mentor.locator("#add-team")).to_have_attribute("open", "")
    mentor.get_by_label("Team name").fill("Harbour Clinic front desk")
    mentor.get_by_label("Contact's name").fill("Dana Desk")
    mentor.get_by_label("Contact's email").fill("dana@harbour.example")
    mentor.get_by_role("button", name="Add the team").click()
    expect(mentor.locator("#client-team-picker")).to_contain_text("Harbour Clinic front desk added")
    _shoot(mentor, screenshot_dir, "10-mentor-arranges")
    mentor.get_by_role("button", name="Find a time and invite").click()
    # Tasks run eagerly here, so the booking is done by the time the page answers.
    expect(mentor.locator("[data-meeting-state]")).to_have_text("Booked")
    expect(mentor.locator("[data-meeting-when]")).to_contain_text("Europe/London")
    _shoot(mentor, screenshot_dir, "10-mentor-meeting")
    watch.check("10. the mentor arranges the client-team meeting")

    # 11. The mentor requests changes on the answer.
    mentor.get_by_role("navigation", name="Main").get_by_role("link", name="Desk").click()
    mentor.get_by_role("link", name="Reviews").first.click()
    mentor.locator("tr", has_text="Answer").get_by_role("link", name="Review").click()
    mentor.get_by_label("Comment for the hire").fill("Who else pays? Think of **insurers**.")
    mentor.get_by_role("button", name="Request changes").click()
    expect(mentor.get_by_text("Sent back to Nora New for changes.")).to_be_visible()
    _shoot(mentor, screenshot_dir, "11-mentor-requested-changes")
    watch.check("11. the mentor requests changes on the answer")

    # 12. The hire sees it first on home, with the comment, and revises beside it.
    hire.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    todo = hire.locator("[data-todo]").first
    expect(todo).to_have_attribute("data-todo", "changes")
    expect(todo).to_contain_text("Who else pays? Think of insurers.")
    _shoot(hire, screenshot_dir, "12-hire-home-changes")
    todo.get_by_role("link", name=re.compile("^Revise your answer")).click()
    question = hire.locator("[data-block-kind=question]").first
    expect(question).to_contain_text("Who else pays? Think of insurers.")
    expect(hire.locator("[data-item-state]")).to_have_text("Changes requested")
    question.get_by_role("textbox", name="Your answer").fill("Clinics pay; insurers pay some.")
    question.get_by_role("button", name="Submit answer").click()
    expect(hire.locator("[data-block-kind=question]").first).to_contain_text("insurers pay some")
    watch.check("12. the hire sees the changes first on home and revises")

    # 13. The mentor hears of the revision (the bell), opens it at its round, accepts it.
    mentor.get_by_role("link", name="Notifications").click()
    mentor.locator(".notification", has_text="Nora New submitted their answer").first.get_by_role(
        "button", name="Open"
    ).click()
    expect(mentor).to_have_url(re.compile(r"#round-2$"))
    expect(mentor.get_by_role("heading", name=re.compile("Round 2"))).to_be_visible()
    mentor.get_by_label("Comment for the hire").fill("Much better.")
    mentor.get_by_role("button", name="Accept").click()
    expect(mentor.get_by_text("Accepted. Nora New will see it.")).to_be_visible()
    _shoot(mentor, screenshot_dir, "13-mentor-accepted")
    watch.check("13. the mentor accepts the revision")

    # The hire's home no longer asks for changes.
    hire.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(hire.get_by_role("heading", name="Your program")).to_be_visible()
    expect(hire.locator("[data-todo=changes]")).to_have_count(0)
    watch.check("13. the hire's home after the acceptance")

    # 14. The admin's funnel moved: Day 00 completed by one hire.
    admin.reload()
    expect(admin.get_by_text("1 hire enrolled")).to_be_visible()
    assert _funnel_completed(admin, "Day 00") == "1"
    _shoot(admin, screenshot_dir, "14-admin-funnel")
    watch.check("14. the admin's funnel moves")
    for context in contexts.values():
        context.close()


def test_the_watch_fails_on_an_unexpected_404_and_a_console_error(browser, live_server):
    """The journey's net is real: a missing page and a script error are both caught."""
    watch = Watch()
    context = browser.new_context()
    watch.attach(context, "someone")
    page = context.new_page()
    page.goto(live_server.url + "/no-such-page/")
    page.evaluate("console.error('broken on purpose')")
    page.evaluate("setTimeout(() => { throw new Error('thrown on purpose') }, 0)")
    page.wait_for_function("true")
    expect(page.locator("body")).to_be_visible()
    context.close()
    with pytest.raises(AssertionError) as failed:
        watch.check("the probe")
    assert "HTTP 404 GET" in str(failed.value)
    assert "broken on purpose" in str(failed.value)
    assert "thrown on purpose" in str(failed.value)
