"""Factories for the demo program (``manage.py seed_demo``): intake data as plain dicts.

The demo opens its clients through ``clients.services.client_create`` — the
path the intake form takes — so these factories build the *data* a service
receives, not model rows. Every random choice comes from factory_boy's
generator, which also drives Faker: ``factory.random.reseed_random(n)`` makes
a run repeatable.

All contact details are fictional: phone numbers in the 555-0100…0199 range
reserved for fiction, email addresses at example.org / example.com, invented
street names with real city / ZIP pairs.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass

import factory
import factory.random
from django.utils import timezone
from faker import Faker

from clients.models import AsamEdition, ClientStatus, ContactChannel, DischargeReason


def _rng():
    return factory.random.randgen


def _pick(options):
    return _rng().choice(options)


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return _rng().choices(values, weights)[0]


def _chance(probability: float) -> bool:
    return _rng().random() < probability


@functools.cache
def _faker(locale: str) -> Faker:
    # Faker instances share faker.generator.random, which factory.random seeds.
    return Faker(locale)


def fictional_phone(area_code: str, line: int) -> str:
    """+1 <area> 555-01xx: the exchange the North American plan reserves for fiction."""
    return f"+1{area_code}55501{line % 100:02d}"


# --- names -----------------------------------------------------------------

# Languages whose names Faker writes in a Latin script a US record would use.
_FAKER_LOCALE = {"en": "en_US", "asl": "en_US", "es": "es_MX", "pt": "pt_BR", "fr": "fr_FR", "vi": "vi_VN"}

# (female first names, male first names, family names), romanised as a US intake form records them.
_CURATED_NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "zh": (
        ["Mei", "Xiuying", "Li Na", "Jing", "Huimin", "Yan"],
        ["Wei", "Jian", "Hao", "Zhiqiang", "Jun", "Ming"],
        ["Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Lin"],
    ),
    "ko": (
        ["Ji-woo", "Min-ji", "Seo-yeon", "Eun-ji", "Hye-jin"],
        ["Min-jun", "Ji-hoon", "Sung-min", "Dong-hyun", "Jae-won"],
        ["Kim", "Lee", "Park", "Choi", "Jung", "Kang"],
    ),
    "ru": (
        ["Natalia", "Olga", "Svetlana", "Irina", "Yelena", "Tatiana"],
        ["Dmitri", "Sergei", "Alexei", "Nikolai", "Andrei", "Yuri"],
        ["Ivanov", "Petrov", "Sokolov", "Volkov", "Morozov", "Lebedev", "Orlov"],
    ),
    "ar": (
        ["Fatima", "Layla", "Mariam", "Noor", "Amira", "Huda"],
        ["Omar", "Youssef", "Khalid", "Tariq", "Samir", "Ahmed"],
        ["Haddad", "Mansour", "Saleh", "Nasser", "Khoury", "Al-Amin"],
    ),
    "so": (
        ["Hodan", "Amina", "Fadumo", "Ifrah", "Sahra", "Hawa"],
        ["Abdirahman", "Mohamed", "Abdullahi", "Hassan", "Liban", "Said"],
        ["Warsame", "Farah", "Ali", "Abdi", "Osman", "Jama", "Hirsi"],
    ),
    "tl": (
        ["Maricel", "Jocelyn", "Rowena", "Analyn", "Kristine"],
        ["Jericho", "Ramil", "Renato", "Arnel", "Jomar"],
        ["Dela Cruz", "Santos", "Reyes", "Bautista", "Villanueva", "Manalo"],
    ),
    "ht": (
        ["Fabienne", "Roseline", "Marie-Claire", "Nadège", "Wideline", "Guerline"],
        ["Wilner", "Jean-Robert", "Frantz", "Reginald", "Jeanty", "Fritznel"],
        ["Jean-Baptiste", "Pierre", "Joseph", "Etienne", "Desir", "Lafortune", "Toussaint"],
    ),
}

# Legal first names people commonly shorten; the preferred name is the short form.
_NICKNAMES = {
    "female": {
        "Elizabeth": "Liz",
        "Jennifer": "Jen",
        "Katherine": "Kate",
        "Jessica": "Jess",
        "Patricia": "Trish",
        "Margaret": "Maggie",
        "Rebecca": "Becca",
        "Kimberly": "Kim",
        "Deborah": "Debbie",
        "Jacqueline": "Jackie",
        "Victoria": "Tori",
    },
    "male": {
        "Robert": "Bobby",
        "William": "Will",
        "Michael": "Mike",
        "Christopher": "Chris",
        "Anthony": "Tony",
        "Joseph": "Joe",
        "Daniel": "Danny",
        "Nathaniel": "Nate",
        "Zachary": "Zach",
        "Gregory": "Greg",
        "Raymond": "Ray",
    },
}
# Names people from Chinese-, Vietnamese- and Korean-speaking families often go by in the US.
_ENGLISH_NAMES = {
    "female": ["Jenny", "Annie", "Grace", "Vivian", "Linda", "Helen"],
    "male": ["Kevin", "David", "Tony", "Eric", "Steven", "Peter"],
}
_NEUTRAL_NAMES = ["Alex", "Jordan", "Sam", "River", "Rowan", "Quinn", "Avery", "Sky", "Jamie", "Charlie"]


def _ru_family_name(name: str, sex: str) -> str:
    base = name.removesuffix("a") if name.endswith(("ova", "eva", "ina")) else name
    return f"{base}a" if sex == "female" else base


def first_name(language: str, sex: str) -> str:
    if language in _CURATED_NAMES:
        female, male, _ = _CURATED_NAMES[language]
        return _pick(female if sex == "female" else male)
    if language in ("en", "asl") and _chance(0.25):
        return _pick(sorted(_NICKNAMES[sex]))
    fake = _faker(_FAKER_LOCALE.get(language, "en_US"))
    return fake.first_name_female() if sex == "female" else fake.first_name_male()


def family_name(language: str, sex: str) -> str:
    if language in _CURATED_NAMES:
        name = _pick(_CURATED_NAMES[language][2])
        return _ru_family_name(name, sex) if language == "ru" else name
    fake = _faker(_FAKER_LOCALE.get(language, "en_US"))
    if language == "es" and _chance(0.4):  # paternal and maternal surnames
        return f"{fake.last_name()} {fake.last_name()}"
    return fake.last_name()


def email_for(first: str, last: str) -> str:
    """An address at a domain reserved for examples, so no message can reach a real inbox."""

    def slug(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        return "".join(c for c in text.lower() if c.isascii() and c.isalnum())

    local = _pick(
        [f"{slug(first)}.{slug(last)}", f"{slug(first)[:1]}{slug(last)}", f"{slug(first)}{slug(last)}"]
    )
    if _chance(0.5):
        local += str(_rng().randint(1, 99))
    return f"{local}@{_pick(['example.org', 'example.com'])}"


# --- who the person is -----------------------------------------------------


@dataclass(frozen=True)
class Identity:
    gender_identity: str
    sex_at_birth: str
    pronouns: tuple[str, ...]
    chosen_name: str = ""  # "female" / "male" / "neutral" when people often choose a new first name


IDENTITIES = [
    (Identity("woman", "female", ("she/her",) * 5 + ("she/they",)), 40),
    (Identity("man", "male", ("he/him",) * 5 + ("he/they",)), 40),
    (Identity("nonbinary", "", ("they/them",), chosen_name="neutral"), 5),
    (Identity("trans_woman", "male", ("she/her",), chosen_name="female"), 3),
    (Identity("trans_man", "female", ("he/him",), chosen_name="male"), 3),
    (Identity("declined", "declined", ("",)), 5),
    (Identity("", "", ("",)), 4),  # not asked yet
]


def _age() -> int:
    # Ages 18 to 75, weighted to the adults most often in SUD treatment.
    low, high = _weighted([((18, 24), 15), ((25, 44), 50), ((45, 64), 28), ((65, 75), 7)])
    return _rng().randint(low, high)


def date_of_birth(today: dt.date, age: int) -> dt.date:
    """A birthday that makes the person exactly ``age`` today (days 29 to 31 avoided for simplicity)."""
    month, day = _rng().randint(1, 12), _rng().randint(1, 28)
    year = today.year - age if (month, day) <= (today.month, today.day) else today.year - age - 1
    return dt.date(year, month, day)


@dataclass(frozen=True)
class City:
    name: str
    state: str
    postal_codes: tuple[str, ...]
    area_code: str


CITIES = [
    (City("Washington", "DC", ("20002", "20009", "20019", "20020", "20032"), "202"), 45),
    (City("Silver Spring", "MD", ("20901", "20904", "20910"), "301"), 12),
    (City("Hyattsville", "MD", ("20781", "20782", "20783"), "240"), 12),
    (City("Takoma Park", "MD", ("20912",), "301"), 6),
    (City("Alexandria", "VA", ("22301", "22305", "22314"), "703"), 12),
    (City("Arlington", "VA", ("22201", "22204"), "703"), 8),
]
LANGUAGES = [
    ("en", 58),
    ("es", 15),
    ("vi", 4),
    ("ht", 4),
    ("zh", 3),
    ("ar", 3),
    ("ru", 3),
    ("pt", 2),
    ("ko", 2),
    ("so", 2),
    ("tl", 2),
    ("asl", 2),
]
# Quiet hours people ask for; the last is a night-shift worker who sleeps by day.
QUIET_HOURS = [
    (dt.time(21), dt.time(8)),
    (dt.time(22), dt.time(7)),
    (dt.time(20), dt.time(9)),
    (dt.time(9), dt.time(16)),
]

# ASAM levels each kind of program usually places people at, by edition (clients.models.ASAM_LEVELS).
ASAM_LEVEL_WEIGHTS = {
    "outpatient": {
        AsamEdition.THIRD: [("1", 40), ("2.1", 25), ("0.5", 8), ("2.5", 8), ("1-WM", 5)],
        AsamEdition.FOURTH: [("1.5", 40), ("2.1", 25), ("1.7", 12), ("1.0", 8), ("2.5", 8)],
    },
    "crisis": {
        AsamEdition.THIRD: [("3.7-WM", 20), ("3.2-WM", 20), ("3.5", 20), ("3.1", 15), ("2.1", 15)],
        AsamEdition.FOURTH: [("3.7", 25), ("3.5", 20), ("2.7", 20), ("3.1", 15), ("2.1", 15)],
    },
}


def _chosen_first_name(kind: str) -> str:
    if kind == "neutral":
        return _pick(_NEUTRAL_NAMES)
    if kind == "female":
        return _faker("en_US").first_name_female()
    if kind == "male":
        return _faker("en_US").first_name_male()
    return ""


def _days_since_admission(status: str) -> int:
    # Referred people are not admitted yet; the inactive and the discharged have
    # been around long enough to drift away or finish.
    if status == ClientStatus.REFERRED:
        return 0
    if status == ClientStatus.INACTIVE:
        return _rng().randint(90, 400)
    if status == ClientStatus.DISCHARGED:
        return _rng().randint(120, 540)
    return _rng().randint(14, 540)


def _preferred_name(o) -> str:
    if o.identity.chosen_name and not o.legal_name_changed:
        return o.chosen_first_name
    if " " in o.legal_first_name:  # "María Teresa" goes by "Teresa"
        return o.legal_first_name.split(" ", 1)[1]
    if o.language in ("zh", "vi", "ko") and _chance(0.5):
        return _pick(_ENGLISH_NAMES[o.name_sex])
    nickname = _NICKNAMES[o.name_sex].get(o.legal_first_name)
    if nickname and _chance(0.8):
        return nickname
    return ""


def _channel(o) -> str:
    if o.has_phone:
        return _weighted(
            [
                (ContactChannel.SMS, 45),
                (ContactChannel.PHONE, 30),
                (ContactChannel.EMAIL, 15),
                (ContactChannel.MAIL, 6),
                (ContactChannel.NONE, 4),
            ]
        )
    return _weighted([(ContactChannel.EMAIL, 50), (ContactChannel.MAIL, 40), (ContactChannel.NONE, 10)])


def _asam_edition(o) -> str:
    if not o.asam_assessed:
        return ""
    if o.days_since_admission > 300:  # assessed before the program moved to the 4th edition
        return AsamEdition.THIRD
    return _weighted([(AsamEdition.FOURTH, 65), (AsamEdition.THIRD, 35)])


class ClientIntakeFactory(factory.DictFactory):
    """The intake form's data for ``client_create`` (add ``primary_team``).

    Parameters: ``today``, ``language``, ``program`` ("outpatient" or
    "crisis", for the level of care), ``home`` (a ``City``), ``phone_line``
    (0 to 99, to keep numbers unique), ``has_phone``, ``days_since_admission``.
    ``status`` decides the dates: ``ClientIntakeFactory(status="discharged")``
    is admitted, then discharged for a reason.
    """

    class Params:
        today = factory.LazyFunction(timezone.localdate)
        language = factory.LazyFunction(lambda: _weighted(LANGUAGES))
        program = "outpatient"
        identity = factory.LazyFunction(lambda: _weighted(IDENTITIES))
        # The sex legal names follow; people who did not say get either.
        name_sex = factory.LazyAttribute(
            lambda o: (
                o.identity.sex_at_birth
                if o.identity.sex_at_birth in ("female", "male")
                else _pick(["female", "male"])
            )
        )
        chosen_first_name = factory.LazyAttribute(lambda o: _chosen_first_name(o.identity.chosen_name))
        legal_name_changed = factory.LazyFunction(lambda: _chance(0.4))
        age = factory.LazyFunction(_age)
        home = factory.LazyFunction(lambda: _weighted(CITIES))
        phone_line = factory.LazyFunction(lambda: _rng().randint(0, 99))
        has_phone = factory.LazyFunction(lambda: _chance(0.94))
        has_address = factory.LazyAttribute(
            lambda o: o.preferred_channel == ContactChannel.MAIL or _chance(0.9)
        )
        quiet_hours = factory.LazyAttribute(
            lambda o: (
                _pick(QUIET_HOURS)
                if o.preferred_channel in (ContactChannel.SMS, ContactChannel.PHONE) and _chance(0.35)
                else (None, None)
            )
        )
        days_since_admission = factory.LazyAttribute(lambda o: _days_since_admission(o.status))
        asam_assessed = factory.LazyAttribute(lambda o: o.status != ClientStatus.REFERRED and _chance(0.9))

    legal_first_name = factory.LazyAttribute(
        lambda o: (
            o.chosen_first_name
            if o.identity.chosen_name and o.legal_name_changed
            else first_name(o.language, o.name_sex)
        )
    )
    legal_last_name = factory.LazyAttribute(lambda o: family_name(o.language, o.name_sex))
    preferred_name = factory.LazyAttribute(_preferred_name)
    pronouns = factory.LazyAttribute(lambda o: _pick(o.identity.pronouns))
    date_of_birth = factory.LazyAttribute(lambda o: date_of_birth(o.today, o.age))
    sex_at_birth = factory.LazyAttribute(
        lambda o: o.identity.sex_at_birth or (o.name_sex if _chance(0.5) else "")
    )
    gender_identity = factory.LazyAttribute(lambda o: o.identity.gender_identity)
    preferred_language = factory.SelfAttribute("language")
    interpreter_needed = factory.LazyAttribute(
        lambda o: o.language == "asl" or (o.language != "en" and _chance(0.5 if o.language == "es" else 0.7))
    )

    preferred_channel = factory.LazyAttribute(_channel)
    phone = factory.LazyAttribute(
        lambda o: fictional_phone(o.home.area_code, o.phone_line) if o.has_phone else ""
    )
    email = factory.LazyAttribute(
        lambda o: (
            email_for(o.legal_first_name, o.legal_last_name)
            if o.preferred_channel == ContactChannel.EMAIL or _chance(0.45)
            else ""
        )
    )
    address_line1 = factory.LazyAttribute(
        lambda o: f"{_rng().randint(100, 4999)} {_faker('en_US').street_name()}" if o.has_address else ""
    )
    address_line2 = factory.LazyAttribute(
        lambda o: f"Apt {_rng().randint(1, 12)}{_pick('ABCD')}" if o.has_address and _chance(0.35) else ""
    )
    city = factory.LazyAttribute(lambda o: o.home.name)
    state = factory.LazyAttribute(lambda o: o.home.state)
    postal_code = factory.LazyAttribute(lambda o: _pick(o.home.postal_codes) if o.has_address else "")
    # Texting is a consent, recorded with the record by ``client_create`` (as the intake form does).
    text_consent = factory.LazyAttribute(
        lambda o: (
            "electronic"
            if o.preferred_channel == ContactChannel.SMS or (o.has_phone and _chance(0.3))
            else ""
        )
    )
    may_leave_voicemail = factory.LazyAttribute(
        lambda o: o.has_phone and o.preferred_channel != ContactChannel.NONE and _chance(0.5)
    )
    quiet_hours_start = factory.LazyAttribute(lambda o: o.quiet_hours[0])
    quiet_hours_end = factory.LazyAttribute(lambda o: o.quiet_hours[1])

    status = ClientStatus.ACTIVE
    admitted_on = factory.LazyAttribute(
        lambda o: (
            None if o.status == ClientStatus.REFERRED else o.today - dt.timedelta(days=o.days_since_admission)
        )
    )
    referred_on = factory.LazyAttribute(
        lambda o: (
            (o.admitted_on or o.today) - dt.timedelta(days=_rng().randint(1 if o.admitted_on else 0, 21))
        )
    )
    discharged_on = factory.LazyAttribute(
        lambda o: (
            o.admitted_on + dt.timedelta(days=_rng().randint(45, o.days_since_admission - 1))
            if o.status == ClientStatus.DISCHARGED
            else None
        )
    )
    discharge_reason = factory.LazyAttribute(
        lambda o: (
            _weighted(
                [
                    (DischargeReason.COMPLETED, 45),
                    (DischargeReason.TRANSFERRED, 20),
                    (DischargeReason.LEFT, 20),
                    (DischargeReason.MOVED, 15),
                ]
            )
            if o.status == ClientStatus.DISCHARGED
            else ""
        )
    )
    asam_edition = factory.LazyAttribute(_asam_edition)
    asam_level = factory.LazyAttribute(
        lambda o: _weighted(ASAM_LEVEL_WEIGHTS[o.program][o.asam_edition]) if o.asam_edition else ""
    )


# (relationship, shares the family name, sex) — family members often share the client's surname.
RELATIONSHIPS = [
    (("mother", True, "female"), 14),
    (("father", True, "male"), 6),
    (("sister", True, "female"), 12),
    (("brother", True, "male"), 8),
    (("partner", False, ""), 12),
    (("wife", True, "female"), 5),
    (("husband", True, "male"), 4),
    (("adult daughter", True, "female"), 6),
    (("adult son", True, "male"), 4),
    (("aunt", False, "female"), 4),
    (("grandmother", True, "female"), 4),
    (("friend", False, ""), 10),
    (("AA sponsor", False, ""), 6),
    (("NA sponsor", False, ""), 6),
    (("pastor", False, ""), 2),
]
SUPPORT_NOTES = [
    ("", 40),
    ("Emergency contact.", 15),
    ("Drives them to appointments.", 8),
    ("Best reached after 5 pm.", 8),
    ("Comes to family sessions.", 8),
    ("Has a copy of the safety plan.", 8),
    ("Appointment logistics only; no treatment details.", 8),
]


class SupportivePersonDataFactory(factory.DictFactory):
    """Data for ``clients.services.supportive_person_create``.

    Parameters: ``client_last_name`` and ``language`` (family share them),
    ``area_code`` and ``phone_line`` (0 to 99), ``has_phone``.
    """

    class Params:
        client_last_name = ""
        language = "en"
        kind = factory.LazyFunction(lambda: _weighted(RELATIONSHIPS))
        sex = factory.LazyAttribute(lambda o: o.kind[2] or _pick(["female", "male"]))
        area_code = factory.LazyFunction(lambda: _pick(["202", "301", "240", "703"]))
        phone_line = factory.LazyFunction(lambda: _rng().randint(0, 99))
        has_phone = factory.LazyFunction(lambda: _chance(0.9))

    name = factory.LazyAttribute(
        lambda o: " ".join(
            [
                first_name(o.language if o.kind[1] or _chance(0.5) else "en", o.sex),
                (_ru_family_name(o.client_last_name, o.sex) if o.language == "ru" else o.client_last_name)
                if o.kind[1] and o.client_last_name and _chance(0.8)
                else family_name(o.language, o.sex),
            ]
        )
    )
    relationship = factory.LazyAttribute(lambda o: o.kind[0])
    phone = factory.LazyAttribute(lambda o: fictional_phone(o.area_code, o.phone_line) if o.has_phone else "")
    may_be_contacted = factory.LazyAttribute(lambda o: o.has_phone and _chance(0.75))
    involved_in_care = factory.LazyFunction(lambda: _chance(0.5))
    notes = factory.LazyFunction(lambda: _weighted(SUPPORT_NOTES))
