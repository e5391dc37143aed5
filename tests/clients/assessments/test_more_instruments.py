"""WHO-5, PC-PTSD-5, CIWA-Ar and COWS: each band boundary on both sides, the skip logic, and the
shipped definitions (loaded by migration clients/0015) agree with their scoring rules."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clients.assessments import scoring
from clients.assessments.definitions import MORE_INSTRUMENTS
from clients.models import AssessmentResponse, Instrument, ScoringRule
from tests.conftest import login


def fill(keys, total, high):
    """Answers to ``keys`` (each 0..high) adding up to ``total``, filled from the first key."""
    answers = dict.fromkeys(keys, 0)
    remaining = total
    for key in keys:
        step = min(high, remaining)
        answers[key] = step
        remaining -= step
    assert remaining == 0
    return answers


# --- WHO-5 (Topp et al. 2015) -----------------------------------------------------------------------

WHO5_KEYS = [f"q{i}" for i in range(1, 6)]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "likely_depression"),
        (7, "likely_depression"),
        (8, "poor"),
        (12, "poor"),
        (13, "not_poor"),
        (25, "not_poor"),
    ],
)
def test_who5_bands_follow_topp_2015_at_every_boundary(total, band):
    # Spread evenly so no item is 0 or 1 when the total allows it (that flag is tested on its own).
    answers = {k: 0 for k in WHO5_KEYS}
    for i in range(total):
        answers[WHO5_KEYS[i % 5]] += 1
    result = scoring.score_who5(answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(("total", "flagged"), [(12, True), (13, False)])
def test_who5_raw_total_below_13_suggests_screening_for_depression(total, flagged):
    answers = {k: 2 for k in WHO5_KEYS} | {"q5": total - 8}  # q5 is 4 or 5, no item at 0 or 1
    result = scoring.score_who5(answers)
    assert (scoring.POSITIVE_SCREEN in result.flags) is flagged
    assert result.note.startswith(f"{total * 4}%")


@pytest.mark.parametrize(("low", "flagged"), [(1, True), (2, False)])
def test_who5_any_item_at_0_or_1_flags_poor_well_being_even_with_a_good_total(low, flagged):
    result = scoring.score_who5({"q1": 5, "q2": 5, "q3": 5, "q4": 5, "q5": low})
    assert result.band == "not_poor"
    assert (scoring.POSITIVE_SCREEN in result.flags) is flagged
    if flagged:
        assert "item 5 answered 0 or 1" in result.note


def test_who5_is_read_as_higher_is_better_and_scaled_0_to_25():
    assert "who5" in scoring.HIGHER_IS_BETTER
    assert scoring.SCALE["who5"] == (0, 25)
    assert scoring.who5_percentage(25) == 100


def test_who5_refuses_an_answer_above_5():
    with pytest.raises(ValidationError) as exc:
        scoring.score_who5({k: 6 if k == "q2" else 3 for k in WHO5_KEYS})
    assert set(exc.value.message_dict) == {"q2"}


# --- PC-PTSD-5 (Prins et al. 2016) ------------------------------------------------------------------

PTSD_ITEMS = ["q2", "q3", "q4", "q5", "q6"]


@pytest.mark.parametrize(
    ("yes", "band", "flagged"),
    [(0, "negative", False), (2, "negative", False), (3, "positive", True), (5, "positive", True)],
)
def test_pc_ptsd5_is_positive_from_3_after_exposure(yes, band, flagged):
    result = scoring.score_pc_ptsd5({"q1": 1} | fill(PTSD_ITEMS, yes, 1))
    assert (result.total, result.band) == (yes, band)
    assert (scoring.POSITIVE_SCREEN in result.flags) is flagged


def test_pc_ptsd5_no_exposure_completes_the_screen_with_0():
    result = scoring.score_pc_ptsd5({"q1": 0})
    assert (result.total, result.band, result.flags) == (0, "negative", ())
    assert "No trauma exposure" in result.note


@pytest.mark.parametrize(
    ("answers", "bad_keys"),
    [
        ({"q1": 0, "q2": 1}, {"q2"}),  # asked only after a yes
        ({"q1": 1, "q2": 1, "q3": 1}, {"q4", "q5", "q6"}),  # yes needs all five
        ({}, {"q1"}),
        ({"q1": 2}, {"q1"}),
    ],
)
def test_pc_ptsd5_refuses_answers_that_do_not_follow_the_skip_logic(answers, bad_keys):
    with pytest.raises(ValidationError) as exc:
        scoring.score_pc_ptsd5(answers)
    assert set(exc.value.message_dict) == bad_keys


# --- CIWA-Ar (Sullivan et al. 1989) -----------------------------------------------------------------

CIWA_KEYS = [f"q{i}" for i in range(1, 11)]


def ciwa(total):
    answers = fill(CIWA_KEYS[:9], min(total, 63), 7)
    return answers | {"q10": max(0, total - 63)}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (7, "minimal"),
        (8, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (67, "severe"),
    ],
)
def test_ciwa_ar_bands_at_every_boundary(total, band):
    result = scoring.score_ciwa_ar(ciwa(total))
    assert (result.total, result.band) == (total, band)
    assert ("Severe withdrawal" in result.note) is (band == "severe")


def test_ciwa_ar_orientation_runs_0_to_4_and_the_others_0_to_7():
    with pytest.raises(ValidationError) as exc:
        scoring.score_ciwa_ar(ciwa(0) | {"q10": 5, "q9": 8})
    assert set(exc.value.message_dict) == {"q9", "q10"}
    assert scoring.score_ciwa_ar(ciwa(0) | {"q10": 4}).total == 4


# --- COWS (Wesson & Ling 2003) ----------------------------------------------------------------------


def cows(total):
    """Answers using each item's own point values, largest first, adding up to ``total``."""
    answers = {}
    remaining = total
    for key, values in scoring.COWS_OPTIONS.items():
        pick = max(v for v in values if v <= remaining)
        answers[key] = pick
        remaining -= pick
    assert remaining == 0, total
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (12, "mild"),
        (13, "moderate"),
        (24, "moderate"),
        (25, "moderately_severe"),
        (36, "moderately_severe"),
        (37, "severe"),
        (48, "severe"),
    ],
)
def test_cows_bands_follow_wesson_and_ling_2003_at_every_boundary(total, band):
    result = scoring.score_cows(cows(total))
    assert (result.total, result.band) == (total, band)


def test_cows_refuses_a_point_value_the_item_does_not_have():
    # Resting pulse scores 0, 1, 2 or 4: 3 is not an option; gooseflesh scores 0, 3 or 5.
    with pytest.raises(ValidationError) as exc:
        scoring.score_cows(cows(0) | {"q1": 3, "q11": 1})
    assert set(exc.value.message_dict) == {"q1", "q11"}
    assert "0, 1, 2, 4" in exc.value.message_dict["q1"][0]


# --- the shipped definitions ------------------------------------------------------------------------


@pytest.mark.parametrize("definition", MORE_INSTRUMENTS, ids=lambda d: d["code"])
def test_every_answer_option_of_a_shipped_definition_is_one_its_rule_accepts(definition):
    rule = definition["scoring_rule"]
    assert rule in ScoringRule.values
    lows = {i["key"]: min(o["value"] for o in i["options"]) for i in definition["items"]}
    highs = {i["key"]: max(o["value"] for o in i["options"]) for i in definition["items"]}
    if rule == "pc_ptsd5":
        lows, highs = {"q1": 0}, {"q1": 1} | dict.fromkeys(PTSD_ITEMS, 1)
    lo_scale, hi_scale = scoring.SCALE[rule]
    assert scoring.score(rule, lows).total == lo_scale
    assert scoring.score(rule, highs).total == hi_scale
    for item in definition["items"]:
        for option in item["options"]:
            answers = (highs if rule == "pc_ptsd5" else lows) | {item["key"]: option["value"]}
            if rule == "pc_ptsd5" and item["key"] == "q1" and option["value"] == 0:
                answers = {"q1": 0}
            scoring.score(rule, answers)  # raises if the option is not one the rule accepts


def test_cows_definition_offers_exactly_the_points_the_rule_scores():
    cows_def = next(d for d in MORE_INSTRUMENTS if d["code"] == "cows")
    offered = {i["key"]: tuple(o["value"] for o in i["options"]) for i in cows_def["items"]}
    assert offered == scoring.COWS_OPTIONS


@pytest.mark.django_db
def test_the_migration_loads_the_four_instruments_with_licence_and_copyright():
    loaded = {i.code: i for i in Instrument.objects.filter(code__in=["who5", "pc_ptsd5", "ciwa_ar", "cows"])}
    assert set(loaded) == {"who5", "pc_ptsd5", "ciwa_ar", "cows"}
    for inst in loaded.values():
        assert inst.licence_note and inst.copyright_line
    # WHO-5's reuse terms are unclear for an open product: keys and options only, like DAST-10.
    assert not loaded["who5"].has_item_text
    assert loaded["who5"].cadence_days == 30
    assert all(loaded[c].has_item_text for c in ("pc_ptsd5", "ciwa_ar", "cows"))
    assert loaded["ciwa_ar"].cadence_days is None and loaded["cows"].cadence_days is None


@pytest.mark.django_db
def test_the_migration_leaves_an_instrument_the_organisation_changed_alone():
    from importlib import import_module

    from django.apps import apps

    Instrument.objects.filter(code="who5").update(instructions="Our licensed wording")
    import_module("clients.migrations.0015_more_instruments").load(apps, None)
    assert Instrument.objects.get(code="who5").instructions == "Our licensed wording"
    assert Instrument.objects.filter(code="who5").count() == 1


# --- administering through the page -----------------------------------------------------------------


def test_a_counselor_administers_a_cows_and_sees_it_banded(alice, counselor):
    post = {k: str(v) for k, v in cows(13).items()}
    response = login(counselor).post(reverse("clients:assessment-administer", args=[alice.pk, "cows"]), post)
    assert response.status_code == 302
    saved = AssessmentResponse.objects.get(client=alice)
    assert (saved.total, saved.band) == (13, "moderate")
    page = login(counselor).get(reverse("clients:assessments", args=[alice.pk]))
    assert "COWS" in page.content.decode()


def test_a_pc_ptsd5_follow_up_answered_after_no_exposure_is_refused_and_nothing_saved(alice, counselor):
    url = reverse("clients:assessment-administer", args=[alice.pk, "pc_ptsd5"])
    response = login(counselor).post(url, {"q1": "0", "q2": "1"})
    assert response.status_code == 400
    assert not AssessmentResponse.objects.filter(client=alice).exists()
