"""Model fields every app shares: free text with a sane maximum that no code path can get past.

A ``models.TextField`` takes a million characters from anyone who sends them. ``BoundedTextField``
takes a required ``max_length``: ``full_clean``, ModelForms (the ``<textarea>`` gets ``maxlength``)
and DRF ModelSerializers refuse a longer value with a field message, and the field itself refuses
to write one (``pre_save``, and ``get_db_prep_save`` for ``QuerySet.update`` and ``bulk_update``),
so a service that skipped validation raises a ``ValidationError`` (a 400 in the API) instead of
storing it. The limits are named here by purpose; forms and serializers that are not built from
the model import the same constants, so each limit has one source.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

# One section of a session note (DAP / SOAP): a long session written up in full fits several times.
CLINICAL_NOTE_MAX_LENGTH = 20_000
# An addendum corrects or adds to a signed note; shorter than the note (what the addendum form allowed).
ADDENDUM_MAX_LENGTH = 5_000
# Plan sections, problem statements, instructions, bios and summaries: a few paragraphs on one screen.
DESCRIPTION_MAX_LENGTH = 4_000
# A reason, comment or note on one event (a review, a referral move, a goal in the client's words).
COMMENT_MAX_LENGTH = 2_000
# Resource-directory text imported from HSDS files written elsewhere: room for a long 211 entry.
DIRECTORY_TEXT_MAX_LENGTH = 10_000
# A message as rendered and sent or received: a template (at most DESCRIPTION_MAX_LENGTH) with its
# context filled in, e.g. a referral packet; an SMS is at most 1,600 characters anyway.
MESSAGE_MAX_LENGTH = 20_000
# JSON lists of free-text entries (safety-plan sections, assessment answers): how many entries.
LIST_MAX_ITEMS = 50


class BoundedTextField(models.TextField):
    """A ``TextField`` that must be given a ``max_length`` and refuses to store anything longer."""

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        if not max_length:
            raise TypeError("BoundedTextField needs a max_length (see the limits in careteam.fields).")
        super().__init__(*args, max_length=max_length, **kwargs)
        # As CharField does: full_clean and ModelForms check it; DRF turns it into its own max_length.
        self.validators.append(MaxLengthValidator(max_length))

    def refuse_too_long(self, value) -> None:
        """Raise ``ValidationError({field name: [message]})`` when ``value`` is over the limit."""
        if isinstance(value, str) and len(value) > self.max_length:
            try:
                MaxLengthValidator(self.max_length)(value)
            except ValidationError as exc:
                raise ValidationError({self.name: exc.error_list}) from None

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        self.refuse_too_long(value)
        return value

    def get_db_prep_save(self, value, connection):
        # QuerySet.update() and bulk_update() never call pre_save.
        self.refuse_too_long(value)
        return super().get_db_prep_save(value, connection)
