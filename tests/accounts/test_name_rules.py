"""One rule for names (accounts.validators.name_clean) on every way in: the profile, an
invitation (one by one, a pasted list, accepting it) and the people CSV refuse line breaks,
control and text-direction characters and formula-leading names alike."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.forms import AcceptInvitationForm
from accounts.validators import name_clean
from onboarding.services.invites import EnrollChoice, HireInviteError, hires_invite_check
from onboarding.services.people import PeopleImportError, people_import_check
from tests.onboarding import desk_support

pytestmark = pytest.mark.django_db
version = desk_support.version  # a published program (pytest finds fixtures by name)

BAD_NAMES = [
    pytest.param("Ada\nLovelace", "line break", id="line-feed"),
    pytest.param("Ada\r\nLovelace", "line break", id="cr-lf"),
    pytest.param("Ada\tLovelace", "line break", id="tab"),
    pytest.param("Ada\x00", "line break", id="nul"),
    pytest.param("\u202eecalevoL adA", "direction", id="rtl-override"),
    pytest.param("Ada \u2066Lovelace", "direction", id="isolate"),
    pytest.param('=HYPERLINK("http://x")', "formula", id="equals"),
    pytest.param("+1 Ada", "formula", id="plus"),
    pytest.param("-Ada", "formula", id="minus"),
    pytest.param("@Ada", "formula", id="at"),
    pytest.param("  =Ada", "formula", id="spaced-equals"),
]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_the_rule_refuses(name, why):
    with pytest.raises(ValidationError, match=why):
        name_clean(name)


@pytest.mark.parametrize("name", ["Ada Lovelace", "O'Brien", "José Ñúñez", "עדה לאבלייס", "李小龍"])
def test_ordinary_names_of_every_script_pass(name):
    assert name_clean(f"  {name} ") == name


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_the_profile_refuses_it_and_keeps_the_old_name(client, hire, name, why):
    client.force_login(hire)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": name,
            "time_zone": "UTC",
            "working_hours_start": "09:00",
            "working_hours_end": "17:00",
            "working_days": ["0", "1", "2", "3", "4"],
        },
    )
    # The edge refuses some outright (400); the form's refusal goes back to the profile page.
    if response.status_code != 400:
        assert (response.status_code, response.url) == (
            302,
            reverse("accounts:profile") + "#profile-heading",
        )
        assert "errorlist" in client.get(reverse("accounts:profile")).content.decode()
    hire.refresh_from_db()
    assert hire.display_name == "Hana Hire"


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_accepting_an_invitation_refuses_it(name, why):
    form = AcceptInvitationForm(
        data={"display_name": name, "time_zone": "UTC", "password": "x", "password_again": "x"}
    )
    assert not form.is_valid()
    if "\x00" not in name:  # Django's CharField refuses a NUL first, with its own message
        assert why in " ".join(form.errors["display_name"])


# In a pasted list a line break starts the next person's line, by design.
ONE_LINE_BAD_NAMES = [p for p in BAD_NAMES if p.id not in ("line-feed", "cr-lf")]


@pytest.mark.parametrize(("name", "why"), ONE_LINE_BAD_NAMES)
def test_a_pasted_invitation_list_refuses_it(version, name, why):
    with pytest.raises(HireInviteError) as refused:
        hires_invite_check(text=f"new.person@example.com, {name}", choice=EnrollChoice(version))
    assert any(why in message for message in refused.value.errors), refused.value.errors


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_the_people_csv_refuses_it(name, why):
    quoted = '"' + name.replace('"', '""') + '"'
    data = f"email,name,role,mentor email,cohort,start date\nnew@example.com,{quoted},mentor,,,\n"
    with pytest.raises(PeopleImportError) as refused:
        people_import_check(data=data.encode(), program=None)
    text = "\n".join(refused.value.errors)
    if "\x00" in name:  # the whole file is refused before its lines are read
        assert "NUL" in text
    else:
        assert "Line 2" in text and (why in text or "formula" in text), text
