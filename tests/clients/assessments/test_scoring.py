"""The scoring rules reproduce the published bands at every boundary (pure functions, no database)."""

import pytest
from django.core.exceptions import ValidationError

from clients.assessments import scoring


def fill(n: int, total: int, *, low: int = 0, high: int = 3, first: int = 1) -> dict[str, int]:
    """``n`` items q1..qn with values between low and high adding up to ``total``, filled from q1."""
    answers = {f"q{i}": low for i in range(first, first + n)}
    remaining = total - low * n
    for key in answers:
        step = min(high - low, remaining)
        answers[key] += step
        remaining -= step
    assert remaining == 0
    return answers


PHQ9_CASES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_CASES)
def test_phq9_bands_follow_kroenke_2001_at_every_boundary(total, band):
    answers = fill(8, min(total, 24)) | {"q9": max(0, total - 24)}
    result = scoring.score_phq9(answers)
    assert (result.total, result.band) == (total, band)


def test_phq9_item_9_answered_at_all_flags_suicide_risk():
    result = scoring.score_phq9(fill(8, 0) | {"q9": 1})
    assert result.flags == (scoring.SUICIDE_RISK,)
    assert result.total == 1 and result.band == "minimal"
    assert "Item 9 answered 1" in result.note


def test_phq9_item_9_zero_raises_no_flag_even_when_severe():
    assert scoring.score_phq9(fill(8, 24) | {"q9": 0}).flags == ()


@pytest.mark.parametrize(
    ("total", "band", "flagged"),
    [(0, "negative", False), (2, "negative", False), (3, "positive", True), (6, "positive", True)],
)
def test_phq2_is_positive_from_3(total, band, flagged):
    result = scoring.score_phq2(fill(2, total))
    assert (result.total, result.band) == (total, band)
    assert (scoring.POSITIVE_SCREEN in result.flags) is flagged


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands_follow_spitzer_2006_at_every_boundary(total, band):
    result = scoring.score_gad7(fill(7, total))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("sex", "total", "band", "cutoff_in_note"),
    [
        ("male", 3, "negative", "≥4"),
        ("male", 4, "positive", "≥4"),
        ("female", 2, "negative", "≥3"),
        ("female", 3, "positive", "≥3"),
        ("unknown", 2, "negative", "≥3"),
        ("unknown", 3, "positive", "≥3"),
        ("declined", 3, "positive", "≥3"),
        ("intersex", 3, "positive", "≥3"),
        ("", 3, "positive", "≥3"),
    ],
)
def test_audit_c_cutoff_follows_sex_assigned_at_birth(sex, total, band, cutoff_in_note):
    result = scoring.score_audit_c(fill(3, total, high=4), sex_at_birth=sex)
    assert (result.total, result.band) == (total, band)
    assert cutoff_in_note in result.note


@pytest.mark.parametrize(
    ("sex", "why"),
    [("unknown", "unknown"), ("declined", "declined"), ("intersex", "intersex"), ("", "not recorded")],
)
def test_audit_c_says_the_lower_cutoff_was_used_when_sex_is_not_male_or_female(sex, why):
    note = scoring.score_audit_c(fill(3, 0, high=4), sex_at_birth=sex).note
    assert "lower cutoff" in note and why in note


def test_audit_c_maximum_is_12():
    assert scoring.score_audit_c(fill(3, 12, high=4), sex_at_birth="male").total == 12


def dast(points: int) -> dict[str, int]:
    """DAST-10 answers worth ``points``: item 3 answered "yes" (0 points) unless its point is needed."""
    answers = {f"q{i}": 0 for i in range(1, 11)}
    answers["q3"] = 1
    order = [k for k in answers if k != "q3"] + ["q3"]
    for key in order[:points]:
        answers[key] = 0 if key == "q3" else 1
    return answers


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
        (10, "severe"),
    ],
)
def test_dast10_bands_follow_skinner_1982_at_every_boundary(points, band):
    result = scoring.score_dast10(dast(points))
    assert (result.total, result.band) == (points, band)


def test_dast10_item_3_is_reverse_scored():
    all_no = {f"q{i}": 0 for i in range(1, 11)}
    assert scoring.score_dast10(all_no).total == 1  # "no, I cannot always stop" scores
    assert scoring.score_dast10(all_no | {"q3": 1}).total == 0
    all_yes = {f"q{i}": 1 for i in range(1, 11)}
    assert scoring.score_dast10(all_yes).total == 9


@pytest.mark.parametrize(
    ("total", "band", "flagged"),
    [
        (10, "below_47", False),
        (46, "below_47", False),
        (47, "at_or_above_47", True),
        (60, "at_or_above_47", True),
    ],
)
def test_barc10_marks_47_and_above_after_vilsaint_2017(total, band, flagged):
    result = scoring.score_barc10(fill(10, total, low=1, high=6))
    assert (result.total, result.band) == (total, band)
    assert (scoring.SUSTAINED_REMISSION_RANGE in result.flags) is flagged


def test_barc10_refuses_0_because_items_run_from_1_to_6():
    with pytest.raises(ValidationError) as exc:
        scoring.score_barc10(fill(10, 10, low=1, high=6) | {"q4": 0})
    assert set(exc.value.message_dict) == {"q4"}


# Every answer path of the C-SSRS screener (Posner 2011): Q3-Q5 only after Q2 yes, q6_recent after Q6 yes.
CSSRS_PATHS = [
    # q1, q2, (q3, q4, q5) or None, q6, q6_recent or None, expected risk
    (0, 0, None, 0, None, "none"),
    (1, 0, None, 0, None, "low"),
    (0, 1, (0, 0, 0), 0, None, "low"),
    (1, 1, (0, 0, 0), 0, None, "low"),
    (1, 1, (1, 0, 0), 0, None, "moderate"),
    (0, 1, (1, 0, 0), 0, None, "moderate"),
    (1, 1, (0, 1, 0), 0, None, "high"),
    (1, 1, (0, 0, 1), 0, None, "high"),
    (1, 1, (1, 1, 1), 0, None, "high"),
    (0, 0, None, 1, 0, "moderate"),
    (1, 0, None, 1, 0, "moderate"),
    (0, 0, None, 1, 1, "high"),
    (1, 1, (0, 0, 0), 1, 0, "moderate"),
    (1, 1, (0, 0, 0), 1, 1, "high"),
    (1, 1, (1, 0, 0), 1, 0, "moderate"),
    (1, 1, (1, 0, 0), 1, 1, "high"),
]


@pytest.mark.parametrize(("q1", "q2", "q3_5", "q6", "q6_recent", "risk"), CSSRS_PATHS)
def test_cssrs_screener_risk_for_every_answer_path(q1, q2, q3_5, q6, q6_recent, risk):
    answers = {"q1": q1, "q2": q2, "q6": q6}
    if q3_5 is not None:
        answers |= dict(zip(("q3", "q4", "q5"), q3_5, strict=True))
    if q6_recent is not None:
        answers["q6_recent"] = q6_recent
    result = scoring.score_cssrs_screener(answers)
    assert result.band == risk
    assert result.total is None
    assert (scoring.SUICIDE_RISK in result.flags) is (risk in {"moderate", "high"})


@pytest.mark.parametrize(
    ("answers", "bad_keys"),
    [
        ({"q1": 0, "q2": 1, "q6": 0}, {"q3", "q4", "q5"}),  # Q2 yes: Q3-Q5 must be asked
        ({"q1": 0, "q2": 0, "q3": 1, "q6": 0}, {"q3"}),  # Q3 answered though Q2 was no
        ({"q1": 0, "q2": 0, "q6": 1}, {"q6_recent"}),  # behaviour without "within 3 months"
        ({"q1": 0, "q2": 0, "q6": 0, "q6_recent": 1}, {"q6_recent"}),
        ({"q2": 0, "q6": 0}, {"q1"}),
        ({"q1": 2, "q2": 0, "q6": 0}, {"q1"}),
    ],
)
def test_cssrs_screener_refuses_answers_that_do_not_follow_the_skip_logic(answers, bad_keys):
    with pytest.raises(ValidationError) as exc:
        scoring.score_cssrs_screener(answers)
    assert set(exc.value.message_dict) == bad_keys


@pytest.mark.parametrize(
    ("answers", "bad_keys"),
    [
        (fill(8, 0), {"q9"}),  # missing
        (fill(9, 0) | {"q3": 4}, {"q3"}),  # out of range
        (fill(9, 0) | {"q3": -1}, {"q3"}),
        (fill(9, 0) | {"q3": "2"}, {"q3"}),  # not a number
        (fill(9, 0) | {"q3": True}, {"q3"}),  # a boolean is not an option
        (fill(9, 0) | {"q10": 1}, {"q10"}),  # not an item
        (fill(9, 0) | {"q1": None, "q2": 7}, {"q1", "q2"}),
    ],
)
def test_invalid_answers_are_refused_with_one_error_per_item(answers, bad_keys):
    with pytest.raises(ValidationError) as exc:
        scoring.score_phq9(answers)
    assert set(exc.value.message_dict) == bad_keys


def test_answers_must_be_a_mapping():
    with pytest.raises(ValidationError) as exc:
        scoring.score_gad7([0, 1, 2])
    assert "answers" in exc.value.message_dict


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValidationError):
        scoring.score("made_up", {})


@pytest.mark.parametrize("rule", list(scoring.RULES))
def test_every_scoring_rule_has_bands_and_a_scale(rule):
    assert scoring.BANDS[rule]
    assert rule in scoring.SCALE
