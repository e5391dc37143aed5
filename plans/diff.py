"""What changed between two versions of a plan, item by item, matched by lineage."""

from __future__ import annotations

from dataclasses import dataclass, field

from careteam.minimum_necessary import EVERY_SECTION, Section

from .models import ActionStep, Goal, Intervention, Problem, TreatmentPlan
from .selectors import plan_items
from .services import MEASURE_FIELDS, PLAN_EDITABLE_FIELDS

_ITEM_FIELDS = {
    "problem": ("domain", "description"),
    "goal": ("client_words", "measurable_target", "target_date", "status"),
    "step": ("description", "responsible", "frequency_count", "frequency_period", "due_on"),
    "intervention": ("modality", "description", "frequency", "responsible_staff"),
}
# What a role that may not see a section leaves out of the diff (``careteam.minimum_necessary``).
_PLAN_CLINICAL_FIELDS = ("triggers", "early_warning_signs", "lapse_plan")
_KIND_LABELS = {"problem": "Problem", "goal": "Goal", "step": "Action step", "intervention": "Intervention"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    kind: str
    change: str  # "added", "removed", "changed"
    title: str
    context: str = ""
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS[self.kind]


@dataclass
class PlanDiff:
    old: TreatmentPlan
    new: TreatmentPlan
    header: list[FieldChange]
    items: list[ItemChange]

    @property
    def empty(self) -> bool:
        return not self.header and not self.items

    def of(self, change: str) -> list[ItemChange]:
        return [i for i in self.items if i.change == change]


def _display(obj, name: str) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display is not None else getattr(obj, name)
    if value is None or value == "":
        return "—"
    return str(value)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _field_changes(old, new, names) -> list[FieldChange]:
    return [
        FieldChange(_label(type(new), n), _display(old, n), _display(new, n))
        for n in names
        if getattr(old, n if n != "responsible_staff" else "responsible_staff_id")
        != getattr(new, n if n != "responsible_staff" else "responsible_staff_id")
    ]


def _indexed(plan: TreatmentPlan) -> dict[str, dict]:
    goals, steps, interventions = plan_items(plan)
    return {
        "problem": {p.lineage: p for p in plan.problems.all()},
        "goal": {g.lineage: g for g in goals},
        "step": {s.lineage: s for s in steps},
        "intervention": {i.lineage: i for i in interventions},
    }


def _title(item, problem_text: bool = True) -> str:
    if isinstance(item, Problem):
        return (
            f"{item.get_domain_display()}: {item.description}" if problem_text else item.get_domain_display()
        )
    if isinstance(item, Goal):
        return item.client_words
    if isinstance(item, ActionStep):
        return item.description
    if isinstance(item, Intervention):
        return item.get_modality_display() + (f" — {item.description}" if item.description else "")
    return str(item)


def _context(item, problems: dict, goals: dict, problem_text: bool = True) -> str:
    """The parent an item sits under, so "goal added" says under which problem."""
    if isinstance(item, Goal):
        parent = next((p for p in problems.values() if p.pk == item.problem_id), None)
        return f"under {_title(parent, problem_text)}" if parent else ""
    if isinstance(item, ActionStep | Intervention):
        parent = next((g for g in goals.values() if g.pk == item.goal_id), None)
        return f"under goal “{_title(parent)}”" if parent else ""
    return ""


def plan_diff(old: TreatmentPlan, new: TreatmentPlan, *, visible: frozenset = EVERY_SECTION) -> PlanDiff:
    """Header fields changed and items added, removed or changed from ``old`` to ``new``, leaving out
    the sections not in ``visible`` (``careteam.minimum_necessary.sections_visible_to``: a peer's diff
    has no problem text, no relapse triggers, warning signs or lapse plan, no interventions).
    Both plans must be loaded with ``selectors.with_items`` (no further queries)."""
    clinical = Section.PLAN_CLINICAL in visible
    text = Section.PLAN_PROBLEM_TEXT in visible
    header_fields = [f for f in PLAN_EDITABLE_FIELDS if clinical or f not in _PLAN_CLINICAL_FIELDS]
    header = _field_changes(old, new, header_fields)
    before, after = _indexed(old), _indexed(new)
    items: list[ItemChange] = []
    kinds = ("problem", "goal", "step", "intervention") if clinical else ("problem", "goal", "step")
    for kind in kinds:
        a, b = before[kind], after[kind]
        item_fields = [f for f in _ITEM_FIELDS[kind] if text or kind != "problem" or f != "description"]
        if kind == "goal" and Section.SCORES in visible:  # a goal's measure names a score: not for peers
            item_fields += MEASURE_FIELDS
        for lineage, item in b.items():
            if lineage not in a:
                items.append(
                    ItemChange(
                        kind,
                        "added",
                        _title(item, text),
                        _context(item, after["problem"], after["goal"], text),
                    )
                )
            else:
                changes = _field_changes(a[lineage], item, item_fields)
                if changes:
                    items.append(
                        ItemChange(
                            kind,
                            "changed",
                            _title(item, text),
                            _context(item, after["problem"], after["goal"], text),
                            changes,
                        )
                    )
        for lineage, item in a.items():
            if lineage not in b:
                items.append(
                    ItemChange(
                        kind,
                        "removed",
                        _title(item, text),
                        _context(item, before["problem"], before["goal"], text),
                    )
                )
    return PlanDiff(old=old, new=new, header=header, items=items)
