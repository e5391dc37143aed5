"""Free text has a sane maximum on every path: model (save, update, full_clean), form, serializer, API."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from rest_framework import serializers

from careteam.fields import (
    CLINICAL_NOTE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    BoundedTextField,
)
from clients.encounters.api import EncounterNoteSerializer
from clients.encounters.forms import NoteForm
from clients.models import EncounterNote
from plans.forms import PlanHeaderForm
from tests.conftest import api_login
from tests.factories import EncounterNoteFactory

# The apps this rule covers (careteam's own fields are the core's to bound).
APPS = ("clients", "plans", "peers", "referrals", "outreach", "crisis", "dashboards", "workspace")
TOO_LONG = "x" * (CLINICAL_NOTE_MAX_LENGTH + 1)


def _modules(suffixes: tuple[str, ...]):
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and info.name.rsplit(".", 1)[-1] in suffixes:
                yield importlib.import_module(info.name)


def _classes(suffixes: tuple[str, ...], base: type):
    for module in _modules(suffixes):
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == module.__name__:
                yield obj


def test_a_bounded_text_field_needs_a_max_length():
    with pytest.raises(TypeError):
        BoundedTextField()


def test_saving_an_over_long_section_is_refused_with_the_field_named(db):
    note = EncounterNoteFactory()
    note.data = TOO_LONG

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        note.save()

    assert set(refused.value.message_dict) == {"data"}
    assert "at most 20000 characters" in refused.value.message_dict["data"][0]
    assert EncounterNote.objects.get(pk=note.pk).data != TOO_LONG


def test_a_queryset_update_cannot_store_it_either(db):
    note = EncounterNoteFactory()

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        EncounterNote.objects.filter(pk=note.pk).update(plan=TOO_LONG)

    assert set(refused.value.message_dict) == {"plan"}


def test_full_clean_names_the_field(db):
    note = EncounterNoteFactory()
    note.assessment = TOO_LONG

    with pytest.raises(ValidationError) as refused:
        note.full_clean()

    assert "assessment" in refused.value.message_dict


def test_textareas_carry_the_limit_as_maxlength():
    assert f'maxlength="{DESCRIPTION_MAX_LENGTH}"' in str(PlanHeaderForm()["strengths"])
    assert f'maxlength="{CLINICAL_NOTE_MAX_LENGTH}"' in str(NoteForm()["data"])
    assert not NoteForm({"format": "dap", "data": TOO_LONG}).is_valid()


def test_the_serializer_takes_the_limit_from_the_model():
    assert EncounterNoteSerializer().fields["data"].max_length == CLINICAL_NOTE_MAX_LENGTH


def test_the_api_answers_a_million_character_note_with_a_400(alice, counselor):
    response = api_login(counselor).post(
        "/api/v1/notes/", {"client": alice.pk, "format": "dap", "data": "x" * 1_000_000}, format="json"
    )

    assert response.status_code == 400
    assert "data" in response.json()
    assert not EncounterNote.objects.exists()


def test_every_free_text_model_field_is_bounded():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField)
    ]
    assert unbounded == []


def test_every_text_field_of_a_form_has_a_max_length():
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _classes(("forms", "admin"), forms.BaseForm)
        for name, field in form.base_fields.items()
        # JSON in admin forms is checked by the model's clean (instrument items, protocol steps).
        if isinstance(field, forms.CharField)
        and not isinstance(field, forms.JSONField)
        and field.max_length is None
    ]
    assert unbounded == []


def test_every_writable_text_or_list_field_of_a_serializer_is_bounded():
    unbounded = []
    for serializer in _classes(("api",), serializers.Serializer):
        for name, field in serializer().fields.items():
            if field.read_only:
                continue
            text = isinstance(field, serializers.CharField) and field.max_length is None
            listed = isinstance(field, serializers.ListField | serializers.ListSerializer)
            if text or (listed and field.max_length is None):
                unbounded.append(f"{serializer.__module__}.{serializer.__name__}.{name}")
    assert unbounded == []
