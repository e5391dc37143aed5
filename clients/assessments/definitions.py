"""The instrument definitions careteam ships (loaded by migration clients/0004_instruments).

Public-domain or freely reproducible instruments ship their wording; licensed
ones ship item keys and answer options with empty text, and an organisation
loads its licensed wording with ``manage.py load_instrument_text``.
"""

from __future__ import annotations

PFIZER_COPYRIGHT = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)

PHQ_INSTRUCTIONS = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

FREQUENCY = [
    {"value": 0, "label": "Not at all"},
    {"value": 1, "label": "Several days"},
    {"value": 2, "label": "More than half the days"},
    {"value": 3, "label": "Nearly every day"},
]
YES_NO = [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]
AGREEMENT = [
    {"value": 1, "label": "Strongly disagree"},
    {"value": 2, "label": "Disagree"},
    {"value": 3, "label": "Somewhat disagree"},
    {"value": 4, "label": "Somewhat agree"},
    {"value": 5, "label": "Agree"},
    {"value": 6, "label": "Strongly agree"},
]

PHQ9_TEXT = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
GAD7_TEXT = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
]


def _items(texts: list[str], options: list[dict]) -> list[dict]:
    return [{"key": f"q{i}", "text": t, "options": options} for i, t in enumerate(texts, start=1)]


def _blank_items(n: int, options: list[dict]) -> list[dict]:
    return _items([""] * n, options)


_LOAD = (
    "An administrator loads the organisation's licensed wording with "
    "`manage.py load_instrument_text <file.json>`."
)

INSTRUMENTS: list[dict] = [
    {
        "code": "phq9",
        "name": "PHQ-9",
        "version": "2001",
        "scoring_rule": "phq9",
        "instructions": PHQ_INSTRUCTIONS,
        "items": _items(PHQ9_TEXT, FREQUENCY),
        "licence_note": "Free to reproduce (Pfizer Inc.); keep the copyright line.",
        "copyright_line": PFIZER_COPYRIGHT,
        "cadence_days": 30,
    },
    {
        "code": "phq2",
        "name": "PHQ-2",
        "version": "2003",
        "scoring_rule": "phq2",
        "instructions": PHQ_INSTRUCTIONS,
        "items": _items(PHQ9_TEXT[:2], FREQUENCY),
        "licence_note": "Free to reproduce (Pfizer Inc.); keep the copyright line.",
        "copyright_line": PFIZER_COPYRIGHT,
        "cadence_days": None,
    },
    {
        "code": "gad7",
        "name": "GAD-7",
        "version": "2006",
        "scoring_rule": "gad7",
        "instructions": "Over the last 2 weeks, how often have you been bothered by the following problems?",
        "items": _items(GAD7_TEXT, FREQUENCY),
        "licence_note": "Free to reproduce (Pfizer Inc.); keep the copyright line.",
        "copyright_line": PFIZER_COPYRIGHT,
        "cadence_days": 30,
    },
    {
        "code": "audit_c",
        "name": "AUDIT-C",
        "version": "1998",
        "scoring_rule": "audit_c",
        "instructions": "These questions are about drinks containing alcohol over the past year.",
        "items": [
            {
                "key": "q1",
                "text": "How often do you have a drink containing alcohol?",
                "options": [
                    {"value": 0, "label": "Never"},
                    {"value": 1, "label": "Monthly or less"},
                    {"value": 2, "label": "2-4 times a month"},
                    {"value": 3, "label": "2-3 times a week"},
                    {"value": 4, "label": "4 or more times a week"},
                ],
            },
            {
                "key": "q2",
                "text": "How many standard drinks containing alcohol do you have on a typical day?",
                "options": [
                    {"value": 0, "label": "1 or 2"},
                    {"value": 1, "label": "3 or 4"},
                    {"value": 2, "label": "5 or 6"},
                    {"value": 3, "label": "7 to 9"},
                    {"value": 4, "label": "10 or more"},
                ],
            },
            {
                "key": "q3",
                "text": "How often do you have six or more drinks on one occasion?",
                "options": [
                    {"value": 0, "label": "Never"},
                    {"value": 1, "label": "Less than monthly"},
                    {"value": 2, "label": "Monthly"},
                    {"value": 3, "label": "Weekly"},
                    {"value": 4, "label": "Daily or almost daily"},
                ],
            },
        ],
        "licence_note": "Public domain (World Health Organization AUDIT; "
        "US Department of Veterans Affairs AUDIT-C).",
        "copyright_line": "AUDIT-C: public domain (WHO / US Department of Veterans Affairs).",
        "cadence_days": None,
    },
    {
        "code": "dast10",
        "name": "DAST-10",
        "version": "1982",
        "scoring_rule": "dast10",
        "instructions": "",
        "items": _blank_items(10, YES_NO),
        "licence_note": "© 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health, "
        "Toronto. Free for non-commercial clinical and research use; item text is not shipped. " + _LOAD,
        "copyright_line": "DAST-10 © 1982 Harvey A. Skinner and the Centre for Addiction and Mental Health.",
        "cadence_days": None,
    },
    {
        "code": "barc10",
        "name": "BARC-10",
        "version": "2017",
        "scoring_rule": "barc10",
        "instructions": "",
        "items": _blank_items(10, AGREEMENT),
        "licence_note": "Brief Assessment of Recovery Capital (Vilsaint et al., 2017). Licence terms for "
        "redistribution are unclear, so item text is not shipped. " + _LOAD,
        "copyright_line": "BARC-10: Vilsaint CL et al., Drug Alcohol Depend 2017;177:71-76.",
        "cadence_days": 90,
    },
    {
        "code": "cssrs_screener",
        "name": "C-SSRS screener",
        "version": "screen",
        "scoring_rule": "cssrs_screener",
        "instructions": "",
        "items": [
            {"key": "q1", "text": "", "options": YES_NO},
            {"key": "q2", "text": "", "options": YES_NO},
            {"key": "q3", "text": "", "options": YES_NO, "asked_if": {"q2": 1}},
            {"key": "q4", "text": "", "options": YES_NO, "asked_if": {"q2": 1}},
            {"key": "q5", "text": "", "options": YES_NO, "asked_if": {"q2": 1}},
            {"key": "q6", "text": "", "options": YES_NO},
            {"key": "q6_recent", "text": "", "options": YES_NO, "asked_if": {"q6": 1}},
        ],
        "licence_note": "Columbia-Suicide Severity Rating Scale © The Research Foundation for Mental "
        "Hygiene, Inc. Item text is copyrighted and not shipped; scoring and item keys only. " + _LOAD,
        "copyright_line": "C-SSRS © The Research Foundation for Mental Hygiene, Inc.",
        "cadence_days": None,
    },
]


# --- Added with the clinical core (issue 15), loaded by migration clients/0015_more_instruments ------
# 0004 keeps loading exactly the list above; these are a separate list so that migration stays as it was.

WHO5_OPTIONS = [
    {"value": 5, "label": "All of the time"},
    {"value": 4, "label": "Most of the time"},
    {"value": 3, "label": "More than half of the time"},
    {"value": 2, "label": "Less than half of the time"},
    {"value": 1, "label": "Some of the time"},
    {"value": 0, "label": "At no time"},
]

# PC-PTSD-5: a US Government work (Department of Veterans Affairs, National Center for PTSD), public
# domain. q1 is the lifetime exposure question; q2..q6 are the published items 1..5, asked only after
# a "yes" (the scoring rule enforces it, as for the C-SSRS follow-ups).
PC_PTSD5_EXPOSURE_TEXT = (
    "Sometimes things happen to people that are unusually or especially frightening, horrible, or "
    "traumatic, for example a serious accident or fire; a physical or sexual assault or abuse; an "
    "earthquake or flood; a war; seeing someone be killed or seriously injured; having a loved one die "
    "through homicide or suicide. Have you ever experienced this kind of event?"
)
PC_PTSD5_TEXT = [
    "In the past month, have you had nightmares about the event(s) or thought about the event(s) when "
    "you did not want to?",
    "In the past month, have you tried hard not to think about the event(s) or went out of your way to "
    "avoid situations that reminded you of the event(s)?",
    "In the past month, have you been constantly on guard, watchful, or easily startled?",
    "In the past month, have you felt numb or detached from people, activities, or your surroundings?",
    "In the past month, have you felt guilty or unable to stop blaming yourself or others for the "
    "event(s) or any problems the event(s) may have caused?",
]


def _anchored(top: int, anchors: dict[int, str]) -> list[dict]:
    """Options 0..top; the published anchors label their points, the points between show the number."""
    return [{"value": v, "label": f"{v}: {anchors[v]}" if v in anchors else str(v)} for v in range(top + 1)]


def _points(anchors: dict[int, str]) -> list[dict]:
    """Options with their own (non-contiguous) point values, as on the COWS form."""
    return [{"value": v, "label": f"{v}: {text}"} for v, text in anchors.items()]


_HALLUCINATIONS = {
    4: "moderately severe hallucinations",
    5: "severe hallucinations",
    6: "extremely severe hallucinations",
    7: "continuous hallucinations",
}

# CIWA-Ar (Sullivan et al., Br J Addict 1989): "This scale is not copyrighted and may be used freely."
CIWA_AR_ITEMS = [
    (
        'Nausea and vomiting. Ask "Do you feel sick to your stomach? Have you vomited?" Observation.',
        _anchored(
            7,
            {
                0: "no nausea and no vomiting",
                1: "mild nausea with no vomiting",
                4: "intermittent nausea with dry heaves",
                7: "constant nausea, frequent dry heaves and vomiting",
            },
        ),
    ),
    (
        "Tremor. Arms extended and fingers spread apart. Observation.",
        _anchored(
            7,
            {
                0: "no tremor",
                1: "not visible, but can be felt fingertip to fingertip",
                4: "moderate, with arms extended",
                7: "severe, even with arms not extended",
            },
        ),
    ),
    (
        "Paroxysmal sweats. Observation.",
        _anchored(
            7,
            {
                0: "no sweat visible",
                1: "barely perceptible sweating, palms moist",
                4: "beads of sweat obvious on forehead",
                7: "drenching sweats",
            },
        ),
    ),
    (
        'Anxiety. Ask "Do you feel nervous?" Observation.',
        _anchored(
            7,
            {
                0: "no anxiety, at ease",
                1: "mildly anxious",
                4: "moderately anxious, or guarded, so anxiety is inferred",
                7: "equivalent to acute panic states as seen in severe delirium or acute schizophrenic "
                "reactions",
            },
        ),
    ),
    (
        "Agitation. Observation.",
        _anchored(
            7,
            {
                0: "normal activity",
                1: "somewhat more than normal activity",
                4: "moderately fidgety and restless",
                7: "paces back and forth during most of the interview, or constantly thrashes about",
            },
        ),
    ),
    (
        'Tactile disturbances. Ask "Have you any itching, pins and needles sensations, any burning, any '
        'numbness, or do you feel bugs crawling on or under your skin?" Observation.',
        _anchored(
            7,
            {
                0: "none",
                1: "very mild itching, pins and needles, burning or numbness",
                2: "mild itching, pins and needles, burning or numbness",
                3: "moderate itching, pins and needles, burning or numbness",
            }
            | _HALLUCINATIONS,
        ),
    ),
    (
        'Auditory disturbances. Ask "Are you more aware of sounds around you? Are they harsh? Do they '
        "frighten you? Are you hearing anything that is disturbing to you? Are you hearing things you "
        'know are not there?" Observation.',
        _anchored(
            7,
            {
                0: "not present",
                1: "very mild harshness or ability to frighten",
                2: "mild harshness or ability to frighten",
                3: "moderate harshness or ability to frighten",
            }
            | _HALLUCINATIONS,
        ),
    ),
    (
        'Visual disturbances. Ask "Does the light appear to be too bright? Is its color different? Does '
        "it hurt your eyes? Are you seeing anything that is disturbing to you? Are you seeing things you "
        'know are not there?" Observation.',
        _anchored(
            7,
            {0: "not present", 1: "very mild sensitivity", 2: "mild sensitivity", 3: "moderate sensitivity"}
            | _HALLUCINATIONS,
        ),
    ),
    (
        'Headache, fullness in head. Ask "Does your head feel different? Does it feel like there is a '
        'band around your head?" Do not rate for dizziness or lightheadedness; otherwise, rate severity.',
        _anchored(
            7,
            {
                0: "not present",
                1: "very mild",
                2: "mild",
                3: "moderate",
                4: "moderately severe",
                5: "severe",
                6: "very severe",
                7: "extremely severe",
            },
        ),
    ),
    (
        'Orientation and clouding of sensorium. Ask "What day is this? Where are you? Who am I?"',
        _anchored(
            4,
            {
                0: "oriented and can do serial additions",
                1: "cannot do serial additions or is uncertain about date",
                2: "disoriented for date by no more than 2 calendar days",
                3: "disoriented for date by more than 2 calendar days",
                4: "disoriented for place and/or person",
            },
        ),
    ),
]

# COWS (Wesson & Ling, J Psychoactive Drugs 2003): the appendix may be freely copied. The point values
# match clients.assessments.scoring.COWS_OPTIONS (a test checks they agree).
COWS_ITEMS = [
    (
        "Resting pulse rate (beats/minute), measured after the patient is sitting or lying for one minute.",
        {0: "80 or below", 1: "81-100", 2: "101-120", 4: "greater than 120"},
    ),
    (
        "Sweating over the past ½ hour, not accounted for by room temperature or patient activity.",
        {
            0: "no report of chills or flushing",
            1: "subjective report of chills or flushing",
            2: "flushed or observable moistness on face",
            3: "beads of sweat on brow or face",
            4: "sweat streaming off face",
        },
    ),
    (
        "Restlessness, observed during the assessment.",
        {
            0: "able to sit still",
            1: "reports difficulty sitting still, but is able to do so",
            3: "frequent shifting or extraneous movements of legs/arms",
            5: "unable to sit still for more than a few seconds",
        },
    ),
    (
        "Pupil size.",
        {
            0: "pupils pinned or normal size for room light",
            1: "pupils possibly larger than normal for room light",
            2: "pupils moderately dilated",
            5: "pupils so dilated that only the rim of the iris is visible",
        },
    ),
    (
        "Bone or joint aches. If the patient was having pain before, score only the part attributed to "
        "opiate withdrawal.",
        {
            0: "not present",
            1: "mild diffuse discomfort",
            2: "patient reports severe diffuse aching of joints/muscles",
            4: "patient is rubbing joints or muscles and is unable to sit still because of discomfort",
        },
    ),
    (
        "Runny nose or tearing, not accounted for by cold symptoms or allergies.",
        {
            0: "not present",
            1: "nasal stuffiness or unusually moist eyes",
            2: "nose running or tearing",
            4: "nose constantly running or tears streaming down cheeks",
        },
    ),
    (
        "GI upset over the last ½ hour.",
        {
            0: "no GI symptoms",
            1: "stomach cramps",
            2: "nausea or loose stool",
            3: "vomiting or diarrhea",
            5: "multiple episodes of diarrhea or vomiting",
        },
    ),
    (
        "Tremor, observed with hands outstretched.",
        {
            0: "no tremor",
            1: "tremor can be felt, but not observed",
            2: "slight tremor observable",
            4: "gross tremor or muscle twitching",
        },
    ),
    (
        "Yawning, observed during the assessment.",
        {
            0: "no yawning",
            1: "yawning once or twice during assessment",
            2: "yawning three or more times during assessment",
            4: "yawning several times/minute",
        },
    ),
    (
        "Anxiety or irritability.",
        {
            0: "none",
            1: "patient reports increasing irritability or anxiousness",
            2: "patient obviously irritable or anxious",
            4: "patient so irritable or anxious that participation in the assessment is difficult",
        },
    ),
    (
        "Gooseflesh skin.",
        {
            0: "skin is smooth",
            3: "piloerection of skin can be felt or hairs standing up on arms",
            5: "prominent piloerection",
        },
    ),
]

MORE_INSTRUMENTS: list[dict] = [
    {
        "code": "who5",
        "name": "WHO-5",
        "version": "1998",
        "scoring_rule": "who5",
        "instructions": "",
        "items": _blank_items(5, WHO5_OPTIONS),
        "licence_note": "WHO-5 Well-Being Index, Psychiatric Research Unit, Mental Health Centre North "
        "Zealand (WHO Regional Office for Europe, 1998). The current terms of reuse could not be confirmed "
        "for an openly distributed product (a non-commercial licence is reported for the revised "
        "version), so item text is not shipped; scoring and item keys only. " + _LOAD,
        "copyright_line": "WHO-5 © Psychiatric Research Unit, Mental Health Centre North Zealand; "
        "Topp CW et al., Psychother Psychosom 2015;84:167-176.",
        "cadence_days": 30,
    },
    {
        "code": "pc_ptsd5",
        "name": "PC-PTSD-5",
        "version": "2016",
        "scoring_rule": "pc_ptsd5",
        "instructions": "Answer the first question; if it is yes, answer the five questions after it.",
        "items": [
            {"key": "q1", "text": PC_PTSD5_EXPOSURE_TEXT, "options": YES_NO},
            *(
                {"key": f"q{i}", "text": text, "options": YES_NO, "asked_if": {"q1": 1}}
                for i, text in enumerate(PC_PTSD5_TEXT, start=2)
            ),
        ],
        "licence_note": "Public domain (US Department of Veterans Affairs, National Center for PTSD).",
        "copyright_line": "PC-PTSD-5: Prins A, Bovin MJ, Kimerling R, et al. (2016), National Center for "
        "PTSD; public domain.",
        "cadence_days": None,
    },
    {
        "code": "ciwa_ar",
        "name": "CIWA-Ar",
        "version": "1989",
        "scoring_rule": "ciwa_ar",
        "instructions": "Clinician-rated. Rate each sign or symptom now; the total guides withdrawal care.",
        "items": [
            {"key": f"q{i}", "text": text, "options": options}
            for i, (text, options) in enumerate(CIWA_AR_ITEMS, start=1)
        ],
        "licence_note": "Not copyrighted; may be used freely (Sullivan et al., 1989).",
        "copyright_line": "CIWA-Ar: Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. "
        "Br J Addict 1989;84:1353-1357. Not copyrighted.",
        "cadence_days": None,
    },
    {
        "code": "cows",
        "name": "COWS",
        "version": "2003",
        "scoring_rule": "cows",
        "instructions": "Clinician-rated. For each item choose what best describes the patient's sign or "
        "symptom; rate only what is apparently related to opiate withdrawal.",
        "items": [
            {"key": f"q{i}", "text": text, "options": _points(anchors)}
            for i, (text, anchors) in enumerate(COWS_ITEMS, start=1)
        ],
        "licence_note": "May be freely copied for clinical use (Wesson & Ling, 2003).",
        "copyright_line": "COWS: Wesson DR, Ling W. J Psychoactive Drugs 2003;35(2):253-259.",
        "cadence_days": None,
    },
]
