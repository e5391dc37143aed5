"""Scoring rules for standardized instruments: one pure function per ``clients.models.ScoringRule`` id.

Each rule takes the answers (``{"q1": 0, ...}``, integers) and returns a
``ScoreResult``; it raises ``django.core.exceptions.ValidationError`` with one
message per item key when an answer is missing, out of range or not an item
of the instrument — so a form shows field errors and the API a 400 with
field messages, and nothing is saved. The published sources are named next to
each rule; the tests reproduce every band boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

SUICIDE_RISK = "suicide_risk"
POSITIVE_SCREEN = "positive_screen"
SUSTAINED_REMISSION_RANGE = "sustained_remission_range"


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class ScoreResult:
    total: int | None
    band: str
    flags: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""


# --- validation -----------------------------------------------------------------------------------


def _keys(n: int) -> list[str]:
    return [f"q{i}" for i in range(1, n + 1)]


def _check(
    answers: Mapping,
    *,
    required: list[str],
    allowed: dict[str, range],
    optional: tuple[str, ...] = (),
) -> dict[str, int]:
    """The answers as ints, or a ValidationError naming each bad item.

    ``required`` must be answered; ``optional`` may be; anything else is refused.
    Booleans are refused on purpose: ``True`` is not an answer option.
    """
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Answers must be an object of item keys to values."})
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key in answers:
        if key not in allowed:
            errors[str(key)] = "This is not an item of this instrument."
    for key, values in allowed.items():
        value = answers.get(key)
        if value is None or value == "":
            if key in required:
                errors[key] = "Answer this question."
            continue
        if key not in required and key not in optional:
            continue  # reported by the rule that knows why it was not asked
        if isinstance(value, bool) or not isinstance(value, int) or value not in values:
            errors[key] = f"Choose one of the options ({values.start} to {values.stop - 1})."
            continue
        clean[key] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _band(bands: tuple[Band, ...], total: int) -> Band:
    return next(b for b in bands if b.low <= total <= b.high)


def band_floor(bands: tuple[Band, ...], key: str) -> int:
    """The lowest total of band ``key``: thresholds stated as "this band or worse" are read from the
    published bands, so a cut-point and its band cannot disagree."""
    return next(b.low for b in bands if b.key == key)


# --- PHQ-9 ------------------------------------------------------------------------------------------
# Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure.
# J Gen Intern Med 2001;16(9):606-613. Nine items 0-3; severity 0-4, 5-9, 10-14, 15-19, 20-27.
# Item 9 (thoughts of being better off dead or of self-harm) answered at all warrants a risk assessment.

PHQ9_BANDS = (
    Band("minimal", "Minimal", 0, 4),
    Band("mild", "Mild", 5, 9),
    Band("moderate", "Moderate", 10, 14),
    Band("moderately_severe", "Moderately severe", 15, 19),
    Band("severe", "Severe", 20, 27),
)
# Item 9 and the lowest answer that flags suicide risk ("several days" = 1; Kroenke 2001). The
# leading-risk list (dashboards.panels.risk) builds its SQL from these two names.
PHQ9_ITEM9 = "q9"
PHQ9_ITEM9_FLAG_FROM = 1


def phq9_item9_flags(answer: int | None) -> bool:
    """Whether an item-9 answer flags suicide risk (any answer above "not at all")."""
    return answer is not None and answer >= PHQ9_ITEM9_FLAG_FROM


def score_phq9(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(9)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(4)))
    total = sum(clean.values())
    flags: tuple[str, ...] = ()
    note = ""
    if phq9_item9_flags(clean[PHQ9_ITEM9]):
        flags = (SUICIDE_RISK,)
        note = f"Item 9 answered {clean[PHQ9_ITEM9]}: complete a suicide risk screen."
    return ScoreResult(total, _band(PHQ9_BANDS, total).key, flags, note)


# --- PHQ-2 ------------------------------------------------------------------------------------------
# Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item
# depression screener. Med Care 2003;41(11):1284-1292. The PHQ-9's first two items; a total >= 3
# is a positive screen (follow with the full PHQ-9).

PHQ2_BANDS = (
    Band("negative", "Negative screen", 0, 2),
    Band("positive", "Positive screen", 3, 6),
)


def score_phq2(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(2)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(4)))
    total = sum(clean.values())
    band = _band(PHQ2_BANDS, total)
    flags = (POSITIVE_SCREEN,) if band.key == "positive" else ()
    note = "Positive screen: administer the full PHQ-9." if flags else ""
    return ScoreResult(total, band.key, flags, note)


# --- GAD-7 ------------------------------------------------------------------------------------------
# Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety
# disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097. Seven items 0-3; 0-4, 5-9, 10-14, 15-21.

GAD7_BANDS = (
    Band("minimal", "Minimal", 0, 4),
    Band("mild", "Mild", 5, 9),
    Band("moderate", "Moderate", 10, 14),
    Band("severe", "Severe", 15, 21),
)


def score_gad7(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(7)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(4)))
    total = sum(clean.values())
    return ScoreResult(total, _band(GAD7_BANDS, total).key)


# --- AUDIT-C ----------------------------------------------------------------------------------------
# Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption questions
# (AUDIT-C). Arch Intern Med 1998;158(16):1789-1795 (men, >= 4); Bradley KA et al., Alcohol Clin Exp
# Res 2007;31(7):1208-1217 (women, >= 3). Three items 0-4, total 0-12. The cutoff follows sex assigned
# at birth; when it is not male or female (unknown, declined, intersex, not recorded) the lower,
# more sensitive cutoff is used and the note says so.

AUDIT_C_MALE_CUTOFF = 4
AUDIT_C_FEMALE_CUTOFF = 3

AUDIT_C_BANDS = (
    Band("negative", "Negative screen", 0, 2),
    Band("positive", "Positive screen", 3, 12),
)


def score_audit_c(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(3)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(5)))
    total = sum(clean.values())
    if sex_at_birth == "male":
        cutoff = AUDIT_C_MALE_CUTOFF
        note = f"Cutoff ≥{cutoff} used (male sex assigned at birth)."
    elif sex_at_birth == "female":
        cutoff = AUDIT_C_FEMALE_CUTOFF
        note = f"Cutoff ≥{cutoff} used (female sex assigned at birth)."
    else:
        cutoff = AUDIT_C_FEMALE_CUTOFF
        why = {"intersex": "intersex", "declined": "declined to answer", "unknown": "unknown"}.get(
            sex_at_birth, "not recorded"
        )
        note = f"Cutoff ≥{cutoff} used (the lower cutoff): sex assigned at birth is {why}."
    positive = total >= cutoff
    return ScoreResult(
        total, "positive" if positive else "negative", (POSITIVE_SCREEN,) if positive else (), note
    )


# --- DAST-10 ----------------------------------------------------------------------------------------
# Skinner HA. The Drug Abuse Screening Test. Addict Behav 1982;7(4):363-371 (10-item version).
# Ten yes/no items (answer value 1 = yes, 0 = no); each "yes" scores 1 except item 3 ("able to stop
# using when you want to"), where "no" scores 1. Bands: 0 none, 1-2 low, 3-5 moderate,
# 6-8 substantial, 9-10 severe.

DAST10_REVERSED = frozenset({"q3"})
DAST10_BANDS = (
    Band("none", "No problems reported", 0, 0),
    Band("low", "Low level", 1, 2),
    Band("moderate", "Moderate level", 3, 5),
    Band("substantial", "Substantial level", 6, 8),
    Band("severe", "Severe level", 9, 10),
)


def score_dast10(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(10)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(2)))
    total = sum(1 - v if k in DAST10_REVERSED else v for k, v in clean.items())
    return ScoreResult(total, _band(DAST10_BANDS, total).key)


# --- BARC-10 ----------------------------------------------------------------------------------------
# Vilsaint CL, Kelly JF, Bergman BG, Groshkova T, Best D, White W. Development and validation of a
# Brief Assessment of Recovery Capital (BARC-10). Drug Alcohol Depend 2017;177:71-76. Ten items 1-6
# (strongly disagree to strongly agree), total 10-60; >= 47 is associated with sustained remission.

BARC10_REMISSION_CUTOFF = 47
# The band keys are stored on each response, so they keep the number they were named with.
BARC10_BANDS = (
    Band("below_47", f"Below {BARC10_REMISSION_CUTOFF}", 10, BARC10_REMISSION_CUTOFF - 1),
    Band(
        "at_or_above_47",
        f"{BARC10_REMISSION_CUTOFF} or more (associated with sustained remission)",
        BARC10_REMISSION_CUTOFF,
        60,
    ),
)


def score_barc10(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(10)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(1, 7)))
    total = sum(clean.values())
    band = _band(BARC10_BANDS, total)
    flags = (SUSTAINED_REMISSION_RANGE,) if total >= BARC10_REMISSION_CUTOFF else ()
    note = f"Associated with sustained remission (≥{BARC10_REMISSION_CUTOFF})." if flags else ""
    return ScoreResult(total, band.key, flags, note)


# --- C-SSRS screener --------------------------------------------------------------------------------
# Posner K, Brown GK, Stanley B, et al. The Columbia-Suicide Severity Rating Scale. Am J Psychiatry
# 2011;168(12):1266-1277; screener triage as in the Columbia Lighthouse Project's screen version.
# Q1 (wish to be dead) and Q2 (suicidal thoughts) always; Q3-Q5 only when Q2 is yes; Q6 (suicidal
# behaviour, lifetime) always, with "within the past 3 months" (q6_recent) when Q6 is yes.
# High: Q4 or Q5 yes, or Q6 within 3 months. Moderate: Q3 yes, or Q6 more than 3 months ago.
# Low: Q1 or Q2 yes only. None: every answer no. Answer values: 1 = yes, 0 = no.

CSSRS_KEYS = ("q1", "q2", "q3", "q4", "q5", "q6", "q6_recent")
CSSRS_BANDS = (
    Band("none", "No risk identified", 0, 0),
    Band("low", "Low risk", 1, 1),
    Band("moderate", "Moderate risk", 2, 2),
    Band("high", "High risk", 3, 3),
)
# The bands that flag suicide risk (and put the client on the leading-risk list).
CSSRS_RISK_BANDS = frozenset({"moderate", "high"})
_NOT_ASKED = "Asked only when question {q} is yes; clear this answer or change question {q}."


def score_cssrs_screener(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    allowed = dict.fromkeys(CSSRS_KEYS, range(2))
    base = _check(answers, required=["q1", "q2", "q6"], allowed=allowed, optional=CSSRS_KEYS)
    follow_ups = (["q3", "q4", "q5"] if base["q2"] else []) + (["q6_recent"] if base["q6"] else [])
    errors = {}
    for key in ("q3", "q4", "q5", "q6_recent"):
        if key not in follow_ups and key in base:
            errors[key] = _NOT_ASKED.format(q=2 if key != "q6_recent" else 6)
        elif key in follow_ups and key not in base:
            errors[key] = "Answer this question."
    if errors:
        raise ValidationError(errors)
    yes = {k for k, v in base.items() if v == 1}
    if yes & {"q4", "q5"} or {"q6", "q6_recent"} <= yes:
        band = "high"
    elif "q3" in yes or "q6" in yes:
        band = "moderate"
    elif yes & {"q1", "q2"}:
        band = "low"
    else:
        band = "none"
    flags = (SUICIDE_RISK,) if band in CSSRS_RISK_BANDS else ()
    return ScoreResult(None, band, flags)


# --- WHO-5 ------------------------------------------------------------------------------------------
# WHO-5 Well-Being Index (Psychiatric Research Unit, Mental Health Centre North Zealand; WHO Regional
# Office for Europe 1998). Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5 Well-Being Index:
# a systematic review of the literature. Psychother Psychosom 2015;84(3):167-176. Five items 0-5 (at no
# time .. all of the time), raw total 0-25, x4 for a 0-100 percentage. A raw total below 13 (50% or
# less), or any item answered 0 or 1, indicates poor well-being and is an indication to screen for
# depression; a raw total of 7 or less (28% or less) indicates likely depression. The raw total is
# stored (so every instrument's total is a plain sum); the percentage is in the note. Higher is better.

WHO5_POOR_BELOW = 13
WHO5_LOW_ITEM_MAX = 1
WHO5_BANDS = (
    Band("likely_depression", "Very low well-being (28% or less)", 0, 7),
    Band("poor", "Poor well-being (32-48%)", 8, WHO5_POOR_BELOW - 1),
    Band("not_poor", "Not indicative of poor well-being (52% or more)", WHO5_POOR_BELOW, 25),
)


def who5_percentage(total: int) -> int:
    """The raw total (0-25) as the 0-100 percentage score (Topp 2015)."""
    return total * 4


def score_who5(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(5)
    clean = _check(answers, required=keys, allowed=dict.fromkeys(keys, range(6)))
    total = sum(clean.values())
    low_items = [k for k in keys if clean[k] <= WHO5_LOW_ITEM_MAX]
    percent = f"{who5_percentage(total)}%"
    if total < WHO5_POOR_BELOW:
        note = f"{percent}: poor well-being; screen for depression (PHQ-9)."
    elif low_items:
        items = ", ".join(k.removeprefix("q") for k in low_items)
        note = f"{percent}; item {items} answered 0 or 1: poor well-being; screen for depression (PHQ-9)."
    else:
        note = f"{percent}."
    poor = total < WHO5_POOR_BELOW or bool(low_items)
    return ScoreResult(total, _band(WHO5_BANDS, total).key, (POSITIVE_SCREEN,) if poor else (), note)


# --- PC-PTSD-5 --------------------------------------------------------------------------------------
# Prins A, Bovin MJ, Smolenski DJ, et al. The Primary Care PTSD Screen for DSM-5 (PC-PTSD-5):
# development and evaluation within a Veteran primary care sample. J Gen Intern Med
# 2016;31(10):1206-1211; US Department of Veterans Affairs, National Center for PTSD (public domain).
# A lifetime trauma-exposure question first: "no" completes the screen with a score of 0. "Yes" asks
# five yes/no items about the past month; the total is the count of "yes" (0-5). Cut-point: 3, the
# optimally sensitive one (Prins 2016); 4 is more specific and balanced false results in VA men, but
# missed women with PTSD, so careteam uses 3.
# Keys: q1 is the exposure question; q2..q6 are the published items 1..5 (the form numbers them so).

PC_PTSD5_EXPOSURE = "q1"
PC_PTSD5_ITEMS = ("q2", "q3", "q4", "q5", "q6")
PC_PTSD5_CUTOFF = 3
PC_PTSD5_BANDS = (
    Band("negative", "Negative screen", 0, PC_PTSD5_CUTOFF - 1),
    Band("positive", "Positive screen (probable PTSD)", PC_PTSD5_CUTOFF, 5),
)


def score_pc_ptsd5(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = (PC_PTSD5_EXPOSURE, *PC_PTSD5_ITEMS)
    base = _check(answers, required=[PC_PTSD5_EXPOSURE], allowed=dict.fromkeys(keys, range(2)), optional=keys)
    errors = {}
    for key in PC_PTSD5_ITEMS:
        if not base[PC_PTSD5_EXPOSURE] and key in base:
            errors[key] = _NOT_ASKED.format(q=1)
        elif base[PC_PTSD5_EXPOSURE] and key not in base:
            errors[key] = "Answer this question."
    if errors:
        raise ValidationError(errors)
    if not base[PC_PTSD5_EXPOSURE]:
        return ScoreResult(0, "negative", (), "No trauma exposure reported: the screen is complete with 0.")
    total = sum(base[k] for k in PC_PTSD5_ITEMS)
    band = _band(PC_PTSD5_BANDS, total)
    flags = (POSITIVE_SCREEN,) if band.key == "positive" else ()
    note = "Positive screen: assess further for PTSD (a structured interview)." if flags else ""
    return ScoreResult(total, band.key, flags, note)


# --- CIWA-Ar ----------------------------------------------------------------------------------------
# Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. Assessment of alcohol withdrawal: the
# revised Clinical Institute Withdrawal Assessment for Alcohol scale (CIWA-Ar). Br J Addict
# 1989;84(11):1353-1357. Not copyrighted. Ten items: nausea/vomiting, tremor, paroxysmal sweats,
# anxiety, agitation, tactile, auditory and visual disturbances, headache 0-7 each; orientation and
# clouding of sensorium 0-4; maximum 67. The paper set no severity bands; careteam uses the commonly
# published ones: below 8 minimal or mild, 8-15 moderate, above 15 severe (as tabulated in "Instruments
# for the Assessment of Alcohol Withdrawal Syndrome", PMC6286444, Table 2, citing Sullivan 1989). The
# form's own note: scores below 10 do not usually need additional medication for withdrawal.

CIWA_AR_ORIENTATION = "q10"
CIWA_AR_BANDS = (
    Band("minimal", "Absent or minimal withdrawal", 0, 7),
    Band("moderate", "Moderate withdrawal", 8, 15),
    Band("severe", "Severe withdrawal", 16, 67),
)


def score_ciwa_ar(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = _keys(10)
    allowed = dict.fromkeys(keys[:9], range(8)) | {CIWA_AR_ORIENTATION: range(5)}
    clean = _check(answers, required=keys, allowed=allowed)
    total = sum(clean.values())
    band = _band(CIWA_AR_BANDS, total)
    note = "Severe withdrawal: arrange medical assessment now." if band.key == "severe" else ""
    return ScoreResult(total, band.key, (), note)


# --- COWS -------------------------------------------------------------------------------------------
# Wesson DR, Ling W. The Clinical Opiate Withdrawal Scale (COWS). J Psychoactive Drugs
# 2003;35(2):253-259 (the appendix may be freely copied). Eleven clinician-rated items, each with its
# own non-contiguous scores (e.g. resting pulse 0, 1, 2 or 4); total 0-48. Bands: 5-12 mild, 13-24
# moderate, 25-36 moderately severe, more than 36 severe; below 5 is not withdrawal.

COWS_OPTIONS: dict[str, tuple[int, ...]] = {
    "q1": (0, 1, 2, 4),  # resting pulse rate
    "q2": (0, 1, 2, 3, 4),  # sweating
    "q3": (0, 1, 3, 5),  # restlessness
    "q4": (0, 1, 2, 5),  # pupil size
    "q5": (0, 1, 2, 4),  # bone or joint aches
    "q6": (0, 1, 2, 4),  # runny nose or tearing
    "q7": (0, 1, 2, 3, 5),  # GI upset
    "q8": (0, 1, 2, 4),  # tremor
    "q9": (0, 1, 2, 4),  # yawning
    "q10": (0, 1, 2, 4),  # anxiety or irritability
    "q11": (0, 3, 5),  # gooseflesh skin
}
COWS_BANDS = (
    Band("none", "No active withdrawal", 0, 4),
    Band("mild", "Mild", 5, 12),
    Band("moderate", "Moderate", 13, 24),
    Band("moderately_severe", "Moderately severe", 25, 36),
    Band("severe", "Severe", 37, 48),
)


def score_cows(answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    keys = list(COWS_OPTIONS)
    clean = _check(answers, required=keys, allowed={k: range(max(v) + 1) for k, v in COWS_OPTIONS.items()})
    errors = {
        k: "Choose one of the options ({}).".format(", ".join(str(v) for v in COWS_OPTIONS[k]))
        for k, value in clean.items()
        if value not in COWS_OPTIONS[k]
    }
    if errors:
        raise ValidationError(errors)
    total = sum(clean.values())
    return ScoreResult(total, _band(COWS_BANDS, total).key)


RULES: dict[str, Callable[..., ScoreResult]] = {
    "phq9": score_phq9,
    "phq2": score_phq2,
    "gad7": score_gad7,
    "audit_c": score_audit_c,
    "dast10": score_dast10,
    "barc10": score_barc10,
    "cssrs_screener": score_cssrs_screener,
    "who5": score_who5,
    "pc_ptsd5": score_pc_ptsd5,
    "ciwa_ar": score_ciwa_ar,
    "cows": score_cows,
}

BANDS: dict[str, tuple[Band, ...]] = {
    "phq9": PHQ9_BANDS,
    "phq2": PHQ2_BANDS,
    "gad7": GAD7_BANDS,
    "audit_c": AUDIT_C_BANDS,
    "dast10": DAST10_BANDS,
    "barc10": BARC10_BANDS,
    "cssrs_screener": CSSRS_BANDS,
    "who5": WHO5_BANDS,
    "pc_ptsd5": PC_PTSD5_BANDS,
    "ciwa_ar": CIWA_AR_BANDS,
    "cows": COWS_BANDS,
}

# Scale ranges for the trend chart (None: the rule has no total to plot).
SCALE: dict[str, tuple[int, int] | None] = {
    "phq9": (0, 27),
    "phq2": (0, 6),
    "gad7": (0, 21),
    "audit_c": (0, 12),
    "dast10": (0, 10),
    "barc10": (10, 60),
    "cssrs_screener": None,
    "who5": (0, 25),
    "pc_ptsd5": (0, 5),
    "ciwa_ar": (0, 67),
    "cows": (0, 48),
}

# Where a higher total is better (recovery capital), so "improved" reads the right way round.
HIGHER_IS_BETTER = frozenset({"barc10", "who5"})

# --- Outcome thresholds of measurement-based care (the treatment dashboard reads these) -------------
# NCQA HEDIS "Depression Remission or Response for Adolescents and Adults" (DRR-E): people are
# followed from an elevated PHQ-9 (> 9, the floor of Kroenke 2001's moderate band) and are in
# remission below 5 (the minimal band). GAD-7 is read the same way from its own bands (Spitzer 2006:
# 10 is the cut-point for moderate anxiety, below 5 is minimal).
ELEVATED_FROM: dict[str, int] = {
    "phq9": band_floor(PHQ9_BANDS, "moderate"),
    "gad7": band_floor(GAD7_BANDS, "moderate"),
}
REMISSION_BELOW: dict[str, int] = {
    "phq9": band_floor(PHQ9_BANDS, "mild"),
    "gad7": band_floor(GAD7_BANDS, "mild"),
}
# A change of 5 points is the PHQ-9's minimal clinically important difference: Löwe B, Unützer J,
# Callahan CM, Perkins AJ, Kroenke K. Monitoring depression treatment outcomes with the Patient Health
# Questionnaire-9. Med Care 2004;42(12):1194-1201. The GAD-7 uses the same 5 points (one band's width).
MEANINGFUL_CHANGE: dict[str, int] = {"phq9": 5, "gad7": 5}


def score(rule: str, answers: Mapping, *, sex_at_birth: str = "") -> ScoreResult:
    """Score ``answers`` with the rule named ``rule`` (a ``ScoringRule`` value)."""
    try:
        fn = RULES[rule]
    except KeyError:
        raise ValidationError({"instrument": f"No scoring rule called {rule!r}."}) from None
    return fn(answers, sex_at_birth=sex_at_birth)


def bands_for(rule: str, *, sex_at_birth: str = "") -> tuple[Band, ...]:
    """The bands to shade on a chart: AUDIT-C's depend on the cutoff used for this client (Bush 1998)."""
    if rule == "audit_c" and sex_at_birth == "male":
        return (
            Band("negative", "Negative screen", 0, AUDIT_C_MALE_CUTOFF - 1),
            Band("positive", "Positive screen", AUDIT_C_MALE_CUTOFF, 12),
        )
    return BANDS.get(rule, ())


def band_label(rule: str, key: str) -> str:
    """The label shown for a band key; AUDIT-C's bands are by cutoff, so only the word is shown."""
    for band in BANDS.get(rule, ()):
        if band.key == key:
            return band.label
    return key.replace("_", " ").capitalize()
