from django.core.management.base import BaseCommand

from onboarding.demo import demo_people_seed


class Command(BaseCommand):
    help = "Load the demo program and demo people (safe to rerun) and print their logins."

    def handle(self, *args, **options) -> None:
        logins = demo_people_seed()
        self.stdout.write("Demo logins (password, and the TOTP secret for an authenticator app):")
        for login in logins:
            line = f"  {login.role:<14} {login.email:<22} password: {login.password}"
            if login.totp_secret:
                line += f"  TOTP secret: {login.totp_secret}"
            self.stdout.write(line)
