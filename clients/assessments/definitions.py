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
