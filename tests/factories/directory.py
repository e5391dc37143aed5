"""Factories for the resource directory (HSDS tables)."""

import datetime as dt

import factory

from referrals.models import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Lakeside Community Services {n}")
    description = "Community services for people and families."
    email = factory.Sequence(lambda n: f"info{n}@lakeside.example.org")
    website = "https://lakeside.example.org"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Food Pantry {n}")
    description = "Groceries once a week for anyone in the county."
    eligibility_description = "County residents."
    fees_description = "Free"

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        """``categories=["food", "housing"]``: needs taxonomy codes to tag the service with."""
        if create and extracted:
            self.taxonomy_terms.set(
                TaxonomyTerm.objects.filter(taxonomy="careteam-needs", code__in=extracted)
            )


class ServiceLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLanguage

    service = factory.SubFactory(ServiceFactory)
    name = "Spanish"
    code = "es"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Main office {n}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    location = factory.SubFactory(LocationFactory)
    address_1 = "120 Water Street"
    city = "Millbrook"
    state_province = "OH"
    postal_code = "43004"


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(LocationFactory)


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    service = factory.SubFactory(ServiceFactory)
    number = "614-555-0100"
    type = "voice"


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    byday = "MO,TU,WE,TH,FR"
    opens_at = dt.time(9, 0)
    closes_at = dt.time(17, 0)
    timezone = "America/New_York"


def service_with_everything(**kwargs) -> Service:
    """A service with a language, phone, weekday hours, a location with an address and a need."""
    service = ServiceFactory(categories=["food"], **kwargs)
    ServiceLanguageFactory(service=service)
    PhoneFactory(service=service)
    ScheduleFactory(service=service)
    location = LocationFactory(organization=service.organization)
    AddressFactory(location=location)
    ServiceAtLocationFactory(service=service, location=location)
    return service
