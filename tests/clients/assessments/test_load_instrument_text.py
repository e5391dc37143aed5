"""manage.py load_instrument_text: an organisation's licensed wording, every key or nothing, idempotent."""

import json

import pytest
from django.core.management import CommandError, call_command

from careteam.models import AuditAction, AuditEvent
from tests.factories.assessments import instrument


def write(tmp_path, data) -> str:
    path = tmp_path / "text.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def dast_text(**overrides):
    items = {f"q{i}": f"Licensed DAST question {i}" for i in range(1, 11)}
    items.update(overrides)
    return {"code": "dast10", "items": items}


def test_it_loads_every_item_and_the_form_can_then_be_given(db, tmp_path):
    assert not instrument("dast10").has_item_text

    call_command("load_instrument_text", write(tmp_path, dast_text()))

    dast = instrument("dast10")
    assert dast.has_item_text
    assert dast.items[2]["text"] == "Licensed DAST question 3"
    assert dast.items[2]["options"] == [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="clients.instrument").count() == 1


def test_loading_the_same_file_twice_changes_nothing(db, tmp_path, capsys):
    path = write(tmp_path, dast_text())
    call_command("load_instrument_text", path)

    call_command("load_instrument_text", path)

    assert "nothing changed" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="clients.instrument").count() == 1


def test_a_partial_file_is_refused_naming_the_missing_keys(db, tmp_path):
    data = dast_text()
    del data["items"]["q4"]
    data["items"]["q7"] = "  "

    with pytest.raises(CommandError, match=r"missing .* q4, q7"):
        call_command("load_instrument_text", write(tmp_path, data))

    assert not instrument("dast10").has_item_text


def test_unknown_keys_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"no item.* q11"):
        call_command("load_instrument_text", write(tmp_path, dast_text(q11="Extra")))
    assert instrument("dast10").items[0]["text"] == ""


def test_the_cssrs_follow_up_key_is_part_of_the_instrument(db, tmp_path):
    keys = ["q1", "q2", "q3", "q4", "q5", "q6", "q6_recent"]
    call_command(
        "load_instrument_text",
        write(tmp_path, {"code": "cssrs_screener", "items": {k: f"Text {k}" for k in keys}}),
    )
    assert instrument("cssrs_screener").has_item_text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"code": "nope", "items": {}}, "No instrument with code 'nope'"),
        ("{not json", "not valid JSON"),
        ({"items": {}}, '"code"'),
        ({"code": "dast10", "items": ["q1"]}, '"items" must be an object'),
    ],
)
def test_malformed_files_get_a_clear_error(db, tmp_path, content, message):
    with pytest.raises(CommandError, match=message):
        call_command("load_instrument_text", write(tmp_path, content))


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_instrument_text", str(tmp_path / "missing.json"))


def test_the_shipped_definitions_are_loaded_by_the_migration(db):
    phq9 = instrument("phq9")
    assert phq9.cadence_days == 30 and instrument("gad7").cadence_days == 30
    assert instrument("barc10").cadence_days == 90
    assert phq9.copyright_line.startswith("Developed by Drs. Robert L. Spitzer")
    assert instrument("audit_c").has_item_text and instrument("phq2").has_item_text
    for code in ("dast10", "barc10", "cssrs_screener"):
        assert all(item["text"] == "" for item in instrument(code).items)
        assert instrument(code).licence_note
