"""``manage.py load_icd10cm``: the three official layouts, small fixture files of each."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clients.diagnoses.icd10cm import read_release_file, with_dot
from clients.models import Diagnosis, DiagnosisCode
from tests.factories import DiagnosisFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ORDER = FIXTURES / "icd10cm_order_2027.txt"
CODES = FIXTURES / "icd10cm_codes_2027.txt"
XML = FIXTURES / "icd10cm_tabular_2027.xml"


def load(path, *args) -> str:
    out = StringIO()
    call_command("load_icd10cm", str(path), *args, stdout=out)
    return out.getvalue()


def get(code: str) -> DiagnosisCode:
    return DiagnosisCode.objects.get(code=code)


def test_dots_go_after_the_third_character():
    assert with_dot("F1120") == "F11.20"
    assert with_dot("T40411A") == "T40.411A"
    assert with_dot("F11") == "F11"
    assert with_dot("f11.20") == "F11.20"


def test_each_layout_is_recognised():
    kinds = {path.name: read_release_file(path)[0] for path in (ORDER, CODES, XML)}
    assert kinds == {ORDER.name: "order", CODES.name: "codes", XML.name: "xml"}
    order = {r.code: r for r in read_release_file(ORDER)[1]}
    assert order["F11"].billable is False and order["F11.20"].billable is True
    assert order["T40.411A"].description == (
        "Poisoning by fentanyl or fentanyl analogs, accidental (unintentional), initial encounter"
    )


def test_a_full_load_of_the_order_file_adds_updates_and_retires_but_never_deletes(alice, counselor):
    dx = DiagnosisFactory(client=alice, code=get("F10.20"))
    DiagnosisCode.objects.filter(code="F11.21").update(description="Old wording")
    before = DiagnosisCode.objects.count()

    output = load(ORDER)

    assert "1 added" in output and "marked inactive" in output
    new = get("Z99.99")
    assert new.description == "A new code of the next release, long form" and new.release == "FY2027"
    assert get("F11.21").description == "Opioid dependence, in remission"
    assert get("F11").is_active and not get("F11").billable
    retired = get("F10.20")
    assert retired.is_active is False  # not in the (tiny) release: retired, kept
    assert DiagnosisCode.objects.count() == before + 1
    assert Diagnosis.objects.get(pk=dx.pk).code == retired

    again = load(ORDER)
    assert "0 added, 0 updated, 6 unchanged" in again and "0 marked inactive" in again


def test_the_codes_file_leaves_headings_alone():
    load(CODES)
    assert get("F11.20").is_active and get("Z99.99").billable
    assert get("F11").is_active  # a heading: the codes file does not list headings
    assert get("F10.20").is_active is False


def test_the_tabular_xml_expands_the_seventh_character():
    load(XML, "--partial")
    heroin = get("T40.1X1A")
    assert heroin.description == "Poisoning by heroin, accidental (unintentional), initial encounter"
    assert heroin.billable and not get("T40.1X1").billable
    assert {"T40.1X1D", "T40.1X1S"} <= set(DiagnosisCode.objects.values_list("code", flat=True))
    assert get("F10.20").is_active  # --partial retires nothing


def test_a_retired_code_that_comes_back_is_active_again():
    DiagnosisCode.objects.filter(code="F11.20").update(is_active=False)
    assert "1 back in use" in load(ORDER, "--partial")
    assert get("F11.20").is_active


def test_a_file_that_is_not_a_release_is_refused(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello world\n")
    with pytest.raises(CommandError, match="not an ICD-10-CM release file"):
        load(bad)
    with pytest.raises(CommandError, match="No such file"):
        load(tmp_path / "missing.txt")
    broken = tmp_path / "broken.xml"
    broken.write_text("<ICD10CM.tabular><section>")
    with pytest.raises(CommandError):
        load(broken)
    assert get("F10.20").is_active
