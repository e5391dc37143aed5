"""A demo resource directory: about 30 organisations and 60 services in Port Alder, Ohio (a made-up city).

The directory is built as HSDS tables and loaded through ``hsds_import`` — the same door a 211
export comes in by — so the demo also exercises the importer. Ids are derived from the names, so
the same directory comes out on every run; nothing is added when the directory already has
organisations. Names, addresses and phone numbers (555-01xx) are fictional.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from referrals.models import Organization, TaxonomyTerm

from . import hsds
from .services import hsds_import

NAMESPACE = uuid.UUID("5b0e7a52-3c1d-4f7e-9a61-0d4f3c2b1a90")
CITY, STATE, TZ = "Port Alder", "OH", "America/New_York"
WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"

# Opening hours by name: (byday, opens, closes) rules.
HOURS = {
    "office": [(WEEKDAYS, "09:00", "17:00")],
    "clinic": [("MO,TU,WE,TH", "08:00", "19:00"), ("FR", "08:00", "17:00")],
    "24/7": [(EVERY_DAY, "00:00", "23:59")],
    "pantry": [("TU,TH", "10:00", "14:00"), ("SA", "09:00", "12:00")],
    "evening": [("MO,WE,FR", "18:00", "20:00")],
    "shelter": [(EVERY_DAY, "19:00", "07:00")],
    "mornings": [(WEEKDAYS, "07:30", "11:30")],
    "saturday": [("SA", "10:00", "15:00")],
    "meals": [(EVERY_DAY, "11:30", "13:00"), (EVERY_DAY, "17:00", "18:30")],
}
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "so": "Somali",
    "ne": "Nepali",
}

# organisation name → [(service name, needs, hours, description, eligibility, cost)]
DIRECTORY: dict[str, list[tuple[str, list[str], str, str, str, str]]] = {
    "Port Alder Community Food Bank": [
        (
            "Weekly grocery pantry",
            ["food"],
            "pantry",
            "A week of groceries, fresh produce when in stock.",
            "Port Alder County residents; bring any ID.",
            "Free",
        ),
        (
            "Mobile pantry",
            ["food", "transportation"],
            "saturday",
            "A truck pantry at rotating neighborhood sites.",
            "Anyone in need.",
            "Free",
        ),
    ],
    "St. Brigid's Kitchen": [
        (
            "Grocery boxes for seniors",
            ["food"],
            "pantry",
            "A monthly box of shelf-stable food.",
            "Adults 60+.",
            "Free",
        ),
        (
            "Community meals",
            ["food"],
            "meals",
            "Hot lunch and supper, no questions asked.",
            "Anyone.",
            "Free",
        ),
    ],
    "Lakeshore Housing Partnership": [
        (
            "Rapid rehousing",
            ["housing"],
            "office",
            "Short-term rent help and a housing navigator.",
            "Homeless or at risk within 14 days; household income under 30% AMI.",
            "Free",
        ),
        (
            "Eviction prevention fund",
            ["housing", "legal"],
            "office",
            "One-time help with back rent.",
            "Written eviction notice; income under 50% AMI.",
            "Free",
        ),
    ],
    "Harborview Emergency Shelter": [
        (
            "Overnight shelter (adults)",
            ["housing", "crisis"],
            "shelter",
            "Beds, showers and breakfast.",
            "Adults 18+; sober on arrival not required.",
            "Free",
        ),
        (
            "Family shelter",
            ["housing", "childcare"],
            "24/7",
            "Private rooms for families with children.",
            "Families with children under 18.",
            "Free",
        ),
    ],
    "Alder County Crisis Line": [
        (
            "24/7 crisis line",
            ["crisis", "mental_health"],
            "24/7",
            "Call or text any time; a counselor answers. 988 also routes here.",
            "Anyone.",
            "Free",
        ),
        (
            "Mobile crisis team",
            ["crisis", "mental_health"],
            "24/7",
            "Counselors come to you in Port Alder County.",
            "Anyone in the county in a behavioral-health crisis.",
            "Free",
        ),
    ],
    "Northgate Behavioral Health": [
        (
            "Outpatient counseling",
            ["mental_health"],
            "clinic",
            "Individual and group therapy.",
            "Ages 12+; Medicaid, most insurance, sliding scale.",
            "Sliding scale",
        ),
        (
            "Psychiatric medication clinic",
            ["mental_health", "medical"],
            "office",
            "Evaluation and medication.",
            "Ages 18+; referral from a counselor preferred.",
            "Insurance or sliding scale",
        ),
        (
            "Walk-in crisis stabilization",
            ["crisis", "mental_health"],
            "24/7",
            "Up to 23 hours of observation.",
            "Adults 18+.",
            "Free",
        ),
    ],
    "Second Wind Recovery Center": [
        (
            "Intensive outpatient (IOP)",
            ["substance_use_treatment"],
            "clinic",
            "Three evenings a week, 9 hours.",
            "Adults with a substance use disorder; ASAM 2.1.",
            "Medicaid, insurance, sliding scale",
        ),
        (
            "Medication for opioid use disorder",
            ["substance_use_treatment", "medical"],
            "mornings",
            "Buprenorphine and naltrexone, same-week starts.",
            "Adults 18+.",
            "Medicaid and most insurance",
        ),
    ],
    "Riverbend Residential Treatment": [
        (
            "Residential treatment (ASAM 3.5)",
            ["substance_use_treatment"],
            "24/7",
            "28 to 45 day residential program.",
            "Adults 18+; detox completed.",
            "Medicaid and insurance",
        ),
        (
            "Withdrawal management",
            ["substance_use_treatment", "medical"],
            "24/7",
            "Medically monitored detox.",
            "Adults 18+.",
            "Medicaid and insurance",
        ),
    ],
    "Recovery Allies of Port Alder": [
        (
            "Peer recovery coaching",
            ["peer_recovery_support"],
            "office",
            "One-to-one coaching by people in recovery.",
            "Anyone in or seeking recovery.",
            "Free",
        ),
        (
            "All-recovery meeting",
            ["peer_recovery_support"],
            "evening",
            "Open meeting, all pathways welcome.",
            "Anyone.",
            "Free",
        ),
    ],
    "Bridgeway Sober Living": [
        (
            "Recovery housing (men)",
            ["housing", "peer_recovery_support"],
            "office",
            "Level II recovery residence.",
            "Men 18+ in recovery, 30 days sober.",
            "$140/week",
        ),
        (
            "Recovery housing (women)",
            ["housing", "peer_recovery_support"],
            "office",
            "Level II recovery residence.",
            "Women 18+ in recovery; children welcome.",
            "$130/week",
        ),
    ],
    "Alder Legal Aid Society": [
        (
            "Civil legal help",
            ["legal", "housing"],
            "office",
            "Evictions, benefits denials, family law.",
            "Income under 200% FPL.",
            "Free",
        ),
        (
            "Record sealing clinic",
            ["legal", "employment"],
            "saturday",
            "Help sealing or expunging records.",
            "Ohio convictions eligible under state law.",
            "Free",
        ),
    ],
    "Port Alder Public Defender": [
        (
            "Warrant clearing clinic",
            ["legal"],
            "saturday",
            "Resolve old warrants without arrest.",
            "Anyone with a county warrant.",
            "Free",
        ),
        (
            "Court date help desk",
            ["legal"],
            "mornings",
            "Find your court date and your lawyer.",
            "Anyone.",
            "Free",
        ),
    ],
    "WorkPath Ohio": [
        (
            "Job readiness program",
            ["employment"],
            "office",
            "Résumés, interview practice and job leads.",
            "Adults 18+; people with records welcome.",
            "Free",
        ),
        (
            "Second-chance hiring network",
            ["employment", "legal"],
            "office",
            "Employers who hire people with records.",
            "Adults with a criminal record.",
            "Free",
        ),
    ],
    "Lakeshore Goodwill Career Center": [
        (
            "Digital skills lab",
            ["employment"],
            "clinic",
            "Computers, e-mail and online job applications.",
            "Adults 16+.",
            "Free",
        ),
        (
            "Career coaching",
            ["employment"],
            "clinic",
            "Coaching and short certificate courses.",
            "Adults 16+.",
            "Free",
        ),
    ],
    "County Job & Family Services": [
        (
            "SNAP and cash assistance",
            ["benefits", "food"],
            "office",
            "Apply for food and cash benefits.",
            "Income and residency rules apply.",
            "Free",
        ),
        (
            "Medicaid enrollment",
            ["benefits", "medical"],
            "office",
            "Apply or renew Medicaid.",
            "Income rules apply.",
            "Free",
        ),
        (
            "Publicly funded child care",
            ["childcare", "benefits"],
            "office",
            "Help paying for licensed child care.",
            "Working or in school; income under 145% FPL.",
            "Free",
        ),
    ],
    "Benefits Navigators of Alder County": [
        (
            "Benefits check-up",
            ["benefits"],
            "office",
            "One visit to check every benefit you may get.",
            "Anyone.",
            "Free",
        ),
        (
            "SSI/SSDI application help (SOAR)",
            ["benefits", "mental_health"],
            "office",
            "SOAR-trained staff help with disability applications.",
            "Adults homeless or at risk with a disability.",
            "Free",
        ),
    ],
    "Alder Transit Authority": [
        (
            "Reduced-fare bus pass",
            ["transportation"],
            "office",
            "Half-price monthly passes.",
            "Medicaid, SNAP or disability.",
            "$25/month",
        ),
        (
            "Paratransit",
            ["transportation", "medical"],
            "clinic",
            "Door-to-door rides.",
            "ADA-eligible riders.",
            "$2 per ride",
        ),
    ],
    "RideWell Medical Transport": [
        (
            "Rides to medical and treatment appointments",
            ["transportation", "medical"],
            "mornings",
            "Book two days ahead.",
            "Medicaid members.",
            "Free with Medicaid",
        ),
    ],
    "ID Now Alder County": [
        (
            "Social Security card help",
            ["identification", "benefits"],
            "office",
            "Replacement Social Security cards.",
            "Anyone.",
            "Free",
        ),
        (
            "ID and birth certificate help",
            ["identification"],
            "office",
            "Pays fees and helps gather documents for state ID.",
            "Anyone without ID.",
            "Free",
        ),
    ],
    "Harbor Family Health Center": [
        (
            "Primary care",
            ["medical"],
            "clinic",
            "Federally qualified health center.",
            "Everyone; sliding scale by income.",
            "Sliding scale",
        ),
        (
            "Dental clinic",
            ["medical"],
            "office",
            "Cleanings, fillings, extractions.",
            "Everyone.",
            "Sliding scale",
        ),
        (
            "Hepatitis C and HIV testing",
            ["medical", "substance_use_treatment"],
            "mornings",
            "Free rapid tests and treatment linkage.",
            "Anyone.",
            "Free",
        ),
    ],
    "Little Sprouts Early Learning": [
        (
            "Evening drop-in child care",
            ["childcare"],
            "evening",
            "Care while parents attend treatment or class.",
            "Children 2 to 10.",
            "Free for clients in treatment",
        ),
        (
            "Child care (6 weeks to 5 years)",
            ["childcare"],
            "clinic",
            "Licensed full-day care.",
            "Children 6 weeks to 5 years.",
            "Sliding scale; vouchers accepted",
        ),
    ],
    "Casa de la Comunidad": [
        (
            "Bilingual case management",
            ["benefits", "housing", "food"],
            "office",
            "Help in Spanish with any need.",
            "Spanish-speaking families.",
            "Free",
        ),
        (
            "Immigration legal consults",
            ["legal", "identification"],
            "saturday",
            "DOJ-accredited representatives.",
            "Anyone.",
            "$20 consult",
        ),
    ],
    "New Roots Refugee Services": [
        (
            "English conversation circles",
            ["employment"],
            "evening",
            "Practice everyday English with volunteers.",
            "Anyone learning English.",
            "Free",
        ),
        (
            "Refugee resettlement case management",
            ["benefits", "employment", "housing"],
            "office",
            "Help settling in during the first five years.",
            "Refugees and asylees.",
            "Free",
        ),
    ],
    "Women's Safe Harbor": [
        (
            "Domestic violence hotline",
            ["crisis"],
            "24/7",
            "Confidential safety planning any time.",
            "Anyone.",
            "Free",
        ),
        (
            "Confidential shelter",
            ["housing", "crisis"],
            "24/7",
            "Safe shelter for survivors and children.",
            "Survivors of domestic violence.",
            "Free",
        ),
    ],
    "Veterans Outreach of Port Alder": [
        (
            "Veterans peer support group",
            ["peer_recovery_support", "mental_health"],
            "evening",
            "Veterans supporting veterans.",
            "Veterans and service members.",
            "Free",
        ),
        (
            "Veteran housing and benefits help",
            ["housing", "benefits"],
            "office",
            "HUD-VASH and VA claims help.",
            "Veterans, any discharge status.",
            "Free",
        ),
    ],
    "Youth Harbor Drop-In": [
        (
            "Youth drop-in center",
            ["housing", "food", "peer_recovery_support"],
            "clinic",
            "Meals, showers, laundry and a counselor.",
            "Ages 14 to 24.",
            "Free",
        ),
    ],
    "Alder Harm Reduction Collective": [
        (
            "Syringe services and naloxone",
            ["substance_use_treatment", "medical"],
            "evening",
            "Supplies, naloxone and test strips.",
            "Anyone.",
            "Free",
        ),
        (
            "Overdose response line",
            ["crisis", "substance_use_treatment"],
            "24/7",
            "Never use alone: call and someone stays on the line.",
            "Anyone.",
            "Free",
        ),
    ],
    "Clearwater Counseling Associates": [
        (
            "Couples and family counseling",
            ["mental_health"],
            "clinic",
            "Family sessions, including family members in recovery.",
            "Families and couples.",
            "Insurance; sliding scale",
        ),
        (
            "Trauma-focused therapy",
            ["mental_health"],
            "clinic",
            "EMDR and CPT with licensed therapists.",
            "Ages 16+.",
            "Insurance; sliding scale",
        ),
    ],
    "Faith Works Furniture Bank": [
        (
            "Move-in kit delivery",
            ["housing", "transportation"],
            "saturday",
            "We deliver furniture to your new home.",
            "Households referred by a case manager.",
            "Free",
        ),
        (
            "Furniture for new homes",
            ["housing"],
            "saturday",
            "Beds, tables and kitchen kits.",
            "Households moving out of homelessness.",
            "Free",
        ),
    ],
    "Port Alder Adult Education": [
        (
            "GED and English classes",
            ["employment"],
            "evening",
            "Free GED prep and ESL classes.",
            "Adults 18+.",
            "Free",
        ),
    ],
}

EXTRA_LANGUAGES = {
    "Casa de la Comunidad": ["es"],
    "New Roots Refugee Services": ["ar", "so", "ne"],
    "Harbor Family Health Center": ["es", "vi"],
    "County Job & Family Services": ["es", "so"],
    "Alder County Crisis Line": ["es"],
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:24]


def directory_tables(rng: random.Random) -> hsds.Tables:
    """The demo directory as HSDS tables (strings), the same for the same ``rng`` seed."""
    terms = dict(TaxonomyTerm.objects.filter(taxonomy="careteam-needs").values_list("code", "hsds_id"))
    now = timezone.now()
    t: hsds.Tables = {name: [] for name in hsds.TABLE_ORDER}
    streets = ["Water St", "Lake Ave", "Harbor Rd", "Main St", "Elm St", "Canal St", "Ferry Ln", "Mill Rd"]
    for n, (org_name, services) in enumerate(DIRECTORY.items()):
        slug = _slug(org_name)
        org_id = _id(org_name)
        t["organization"].append(
            {
                "id": org_id,
                "name": org_name,
                "description": services[0][3],
                "email": f"info@{slug}.example.org",
                "website": f"https://{slug}.example.org",
                "tax_status": "501(c)(3)" if "County" not in org_name else "government",
            }
        )
        location_id = _id(org_name, "location")
        t["location"].append(
            {
                "id": location_id,
                "organization_id": org_id,
                "name": f"{org_name}, main site",
                "location_type": "physical",
            }
        )
        t["address"].append(
            {
                "id": _id(org_name, "address"),
                "location_id": location_id,
                "address_1": f"{100 + 17 * n} {streets[n % len(streets)]}",
                "city": CITY,
                "state_province": STATE,
                "postal_code": f"436{10 + n % 9:02d}",
                "country": "US",
            }
        )
        t["phone"].append(
            {
                "id": _id(org_name, "phone"),
                "organization_id": org_id,
                "number": f"(419) 555-01{n:02d}",
                "type": "voice",
            }
        )
        electronic = rng.random() < 0.55
        for service_name, needs, hours, description, eligibility, cost in services:
            service_id = _id(org_name, service_name)
            capacity = rng.choices(["open", "waitlist", "full"], weights=[6, 3, 1])[0]
            if hours == "24/7":
                capacity = "open"
            t["service"].append(
                {
                    "id": service_id,
                    "organization_id": org_id,
                    "name": service_name,
                    "description": description,
                    "status": "active",
                    "eligibility_description": eligibility,
                    "fees_description": cost,
                    "application_process": "Call or walk in." if hours != "24/7" else "Call any time.",
                    "accepts_electronic_referrals": "true" if electronic else "false",
                    "referral_email": f"intake@{slug}.example.org" if electronic else "",
                    "typical_response_days": str(rng.randint(1, 4)) if electronic else "",
                    "capacity": capacity,
                    "capacity_updated_at": (
                        now - dt.timedelta(days=rng.randint(0, 45), hours=rng.randint(0, 8))
                    )
                    .replace(microsecond=0)
                    .isoformat(),
                }
            )
            for code in needs:
                t["attribute"].append(
                    {
                        "id": _id(service_id, code),
                        "link_id": service_id,
                        "link_entity": "service",
                        "link_type": "service_category",
                        "taxonomy_term_id": str(terms[code]),
                    }
                )
            t["service_at_location"].append(
                {"id": _id(service_id, "at"), "service_id": service_id, "location_id": location_id}
            )
            for byday, opens, closes in HOURS[hours]:
                t["schedule"].append(
                    {
                        "id": _id(service_id, byday, opens),
                        "service_id": service_id,
                        "freq": "WEEKLY",
                        "byday": byday,
                        "opens_at": opens,
                        "closes_at": closes,
                        "timezone": TZ,
                    }
                )
            languages = ["en", *EXTRA_LANGUAGES.get(org_name, [])]
            if "es" not in languages and rng.random() < 0.35:
                languages.append("es")
            for code in languages:
                t["language"].append(
                    {
                        "id": _id(service_id, code),
                        "service_id": service_id,
                        "code": code,
                        "name": LANGUAGES[code],
                    }
                )
            if hours == "24/7" and "crisis" in needs:
                t["phone"].append(
                    {
                        "id": _id(service_id, "phone"),
                        "service_id": service_id,
                        "number": f"(419) 555-01{50 + len(t['phone']) % 50:02d}",
                        "type": "voice",
                        "description": "24/7 line",
                    }
                )
    return t


def seed(*, rng: random.Random, clients, staff) -> None:
    """Load the demo directory unless the directory already has organisations."""
    if Organization.objects.exists():
        return
    parsed = hsds.ParsedFile(tables=directory_tables(rng), file_names={}, first_row=1)
    report = hsds_import(parsed=parsed, acting_user=staff.get("admin"), source_name="demo directory")
    if not report.ok:
        raise RuntimeError("The demo directory does not import: " + "; ".join(map(str, report.errors[:5])))
