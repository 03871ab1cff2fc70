"""factory_boy factories. They build rows through the services, as the app does."""

import factory

from accounts.models import Role, User
from accounts.services import user_create

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    password = TEST_PASSWORD
    roles: list[Role] = []
    time_zone = "UTC"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return user_create(**kwargs)


class HireFactory(UserFactory):
    roles = [Role.HIRE]


class MentorFactory(UserFactory):
    roles = [Role.MENTOR]


class ProgramAdminFactory(UserFactory):
    roles = [Role.PROGRAM_ADMIN]
