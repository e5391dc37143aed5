"""Factories for assessment responses: scored by the real rule, so totals and bands are always consistent."""

import datetime as dt

import factory
from django.utils import timezone

from clients.assessments import scoring
from clients.models import AssessmentResponse, Instrument

from .careteam import UserFactory
from .clients import ClientFactory


def instrument(code: str) -> Instrument:
    """A shipped instrument (loaded by migration clients/0004_instruments)."""
    return Instrument.objects.get(code=code)


def answers_totalling(code: str, total: int) -> dict[str, int]:
    """Answers to a shipped instrument that add up to ``total`` (filled item by item from q1).

    For DAST-10 the total counts scored points, so item 3 (reverse-scored) is answered "yes" (0 points)
    unless its point is needed.
    """
    if code == "cssrs_screener":
        return {"q1": 0, "q2": 0, "q6": 0}
    inst = instrument(code)
    answers: dict[str, int] = {}
    remaining = total
    for item in inst.items:
        values = sorted(o["value"] for o in item["options"])
        remaining -= values[0]
        answers[item["key"]] = values[0]
    for item in inst.items:
        values = sorted(o["value"] for o in item["options"])
        step = min(values[-1] - answers[item["key"]], max(remaining, 0))
        answers[item["key"]] += step
        remaining -= step
    if code == "dast10":  # what was filled in are points; item 3 scores 1 - answer
        answers["q3"] = 1 - answers["q3"]
    if remaining:
        raise ValueError(f"{code} cannot total {total}")
    return answers


class AssessmentResponseFactory(factory.django.DjangoModelFactory):
    """``AssessmentResponseFactory(client=alice, instrument=instrument("phq9"), answers=...)``."""

    class Meta:
        model = AssessmentResponse

    client = factory.SubFactory(ClientFactory)
    instrument = factory.LazyFunction(lambda: instrument("phq9"))
    answers = factory.LazyAttribute(lambda o: answers_totalling(o.instrument.code, 0))
    administered_by = factory.SubFactory(UserFactory)
    administered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    instrument_version = factory.LazyAttribute(lambda o: o.instrument.version)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        result = scoring.score(
            kwargs["instrument"].scoring_rule, kwargs["answers"], sex_at_birth=kwargs["client"].sex_at_birth
        )
        kwargs.update(
            total=result.total, band=result.band, flags=list(result.flags), scoring_note=result.note
        )
        return super()._create(model_class, *args, **kwargs)
