"""The first program admin of a fresh install: `manage.py create_admin EMAIL --name "Ada Admin"`.

Everyone else arrives by invitation from the pages; someone has to be there to send the first
one. The address is taken as verified (whoever runs this command owns the install), the
password is asked twice at the prompt (or read from ONBOARDING_ADMIN_PASSWORD for scripts) and
checked by the same validators as every other password. The admin sets up their second factor
at their first login, like every program admin.
"""

import os
from getpass import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from accounts.services import user_create

PASSWORD_ENV = "ONBOARDING_ADMIN_PASSWORD"  # noqa: S105  # nosec B105: the name of a variable, not a password


class Command(BaseCommand):
    help = "Create the first program admin (verified email, password asked at the prompt)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="The name shown to others.")
        parser.add_argument("--time-zone", default="UTC", help="An IANA zone, e.g. Europe/London.")

    def handle(self, *args, email: str, name: str, time_zone: str, **options):
        if User.objects.filter(email__iexact=email.strip()).exists():
            raise CommandError(f"{email} already has an account.")
        password = os.environ.get(PASSWORD_ENV) or self._ask_password()
        candidate = User(email=email, display_name=name)
        try:
            validate_password(password, user=candidate)
            user = user_create(
                email=email,
                password=password,
                display_name=name,
                roles=[Role.PROGRAM_ADMIN],
                time_zone=time_zone,
                verified=True,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Program admin {user.email} created. Log in and set up your authenticator app; "
            "then import a program and invite people from the pages."
        )

    def _ask_password(self) -> str:
        first = getpass("Password: ")
        if first != getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
