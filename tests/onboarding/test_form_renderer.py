"""FormRenderer: Django's own form templates through Jinja2, every other name through Django's."""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from onboarding.form_renderer import FormRenderer


class EveryKindForm(forms.Form):
    name = forms.CharField(max_length=40, help_text="As it should appear.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}), required=False)
    cohort = forms.ChoiceField(choices=[("", "Every cohort"), ("1", "Spring <2026>")])
    rating = forms.ChoiceField(choices=[("1", "1"), ("2", "2")], widget=forms.RadioSelect)
    remind = forms.BooleanField(required=False)
    key = forms.CharField(widget=forms.HiddenInput)


def test_the_app_renders_forms_with_it():
    assert settings.FORM_RENDERER == "onboarding.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


def test_djangos_form_templates_come_from_jinja2_and_other_names_from_django():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("django/forms/div.html"), Jinja2Template)
    # The admin's widgets exist only for Django's engine, in the admin app's templates.
    assert isinstance(renderer.get_template("admin/widgets/date.html"), DjangoTemplate)
    assert isinstance(renderer.get_template("allauth/elements/field.html"), DjangoTemplate)


def test_a_form_renders_the_same_html_as_with_djangos_default_renderer():
    data = {"name": "Ada & co", "note": "<b>hi</b>", "cohort": "1", "rating": "2", "key": "k"}
    for bound in (EveryKindForm(), EveryKindForm(data=data), EveryKindForm(data={})):
        bound.is_valid()  # the last one has errors on every required field
        ours = bound.render(renderer=FormRenderer())
        django_default = bound.render(renderer=DjangoTemplates())
        assert ours == django_default
    assert "Spring &lt;2026&gt;" in ours and "This field is required." in ours


def test_an_admin_widget_still_renders():
    html = AdminDateWidget().render("starts", "2026-11-26", renderer=FormRenderer())
    assert 'name="starts"' in html and 'class="vDateField' in html
