"""How forms render their fields: Django's own form templates through Jinja2, the rest as usual.

Every field on a page renders several small templates (its widget, the widget's attributes,
its label, its error list, each <option>); through the Django template engine they were the
largest single cost of the item page, a page of five text boxes and a select (bench_load).
Django ships a Jinja2 copy of each of those templates, and compiled Jinja2 renders them
several times faster, with the same HTML.

Templates written only for Django's engine (the admin's widgets, a package's widget) are still
found: a name Jinja2 does not know falls back to Django's default form renderer, which searches
Django's form templates and every app's templates/ folder (not the project's templates/, as
with Django's default), so nothing is written twice. To change how one of Django's
own form templates looks, give the widget or form a template_name of ours rather than
overriding Django's name (Jinja2 would keep finding Django's copy first).
"""

from functools import cached_property

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """FORM_RENDERER: Jinja2 for Django's built-in form templates, the Django engine otherwise."""

    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()  # Django's default form renderer

    def get_template(self, template_name: str):
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
