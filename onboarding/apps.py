from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding journey"

    def ready(self) -> None:
        # Before any URLconf is read: the routes name <id:...> and <token:...>.
        from .edge import register_converters

        register_converters()
