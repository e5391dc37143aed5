"""Factories for staff users and teams."""

import factory
from django.contrib.auth.models import Group

from careteam.models import Team, User


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user. ``UserFactory(role="counselor")`` puts them in that role's group."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("careteam-demo")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=str(extracted)))
            self.__dict__.pop("role_names", None)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    program = "Outpatient SUD"


def assign(client, staff, role="primary_counselor", acting_user=None):
    """Put ``staff`` on ``client``'s care team through the access service (so permissions follow)."""
    from careteam.services import assignment_start

    return assignment_start(client=client, staff=staff, role=role, acting_user=acting_user)
