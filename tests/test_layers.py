"""The import contract: layers point one way, nobody imports another app's views, no module cycles.

DESIGN "Layout and layers", from the bottom:

1. kernel: ``careteam`` (the core) and ``clients`` (the record). The core may name the record's
   models (``clients.models``: assignments, audit, tasks and access are about clients) and nothing
   else of it; ``clients`` may use the core freely.
2. ``outreach``: may read the record; knows no domain app.
3. domain apps ``plans``, ``referrals``, ``peers``, ``crisis``: sideways only through another app's
   ``services`` or ``selectors``.
4. cross-app pages ``workspace``, ``dashboards``: the same sideways rule.
5. ``config``: the project package imports everything; nothing imports it.

The checker reads source with ``ast`` (no import side effects) and counts every import, at module
level or inside a function, except those under ``if TYPE_CHECKING:``. The first tests run it on small
made-up trees, so a checker that has gone blind fails too; the last ones run it on this repository.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS: dict[str, int] = {
    "careteam": 1,
    "clients": 1,
    "outreach": 2,
    "plans": 3,
    "referrals": 3,
    "peers": 3,
    "crisis": 3,
    "workspace": 4,
    "dashboards": 4,
    "config": 5,
}
# Modules of an app that others on the same layer may import (HackSoft styleguide: the app's public
# API for writes and reads). Sub-packages count: ``referrals.directory.selectors`` is one too.
SIDEWAYS_ENTRY_POINTS = {"services", "selectors"}
# The one place the kernel's two halves meet upward: the core may name the record's models.
CORE_MAY_IMPORT_FROM_CLIENTS = {"clients.models"}
# Named exceptions, each with its reason (import-linter's ``ignore_imports``). Keep this short.
ALLOWED: dict[tuple[str, str], str] = {
    ("workspace.demo", "dashboards.demo"): "seed_demo assembles every app's demo seeder, dashboards' last",
    ("workspace.demo", "dashboards.demo_panels"): "seed_demo assembles every app's demo seeder",
}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the deepest module the statement names)
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def app_of(module: str) -> str:
    return module.split(".")[0]


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def imports_of(module: str, source: str, *, is_package: bool, known: set[str]) -> list[Import]:
    """Every import in ``source`` that names a module of ours, resolved to a dotted module name."""
    tree = ast.parse(source)
    skipped = _type_checking_nodes(tree)
    found: list[Import] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # ``from clients import models`` names the module clients.models; ``from x import Name``
            # names module x.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found += [Import(module, t, node.lineno) for t in dict.fromkeys(targets) if app_of(t) in LAYERS]
    return found


def read_tree(root: Path) -> dict[str, tuple[str, bool]]:
    """``{dotted module: (source, is_package)}`` for every app module under ``root`` (not migrations)."""
    modules: dict[str, tuple[str, bool]] = {}
    for app in LAYERS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return modules


def all_imports(modules: dict[str, tuple[str, bool]]) -> list[Import]:
    known = set(modules)
    return [
        imp
        for name, (source, is_package) in modules.items()
        for imp in imports_of(name, source, is_package=is_package, known=known)
    ]


def is_views_module(module: str) -> bool:
    return any(part == "views" or part.startswith("views_") for part in module.split(".")[1:])


def layer_violations(imports: list[Import]) -> list[str]:
    problems = []
    for imp in imports:
        src_app, dst_app = app_of(imp.source), app_of(imp.target)
        if src_app == dst_app or (imp.source, imp.target) in ALLOWED:
            continue
        src_layer, dst_layer = LAYERS[src_app], LAYERS[dst_app]
        if dst_app == "config":
            problems.append(f"{imp}: nothing imports the project package")
        elif dst_layer > src_layer:
            problems.append(
                f"{imp}: {src_app} (layer {src_layer}) may not import {dst_app} (layer {dst_layer})"
            )
        elif src_app == "careteam" and dst_app == "clients":
            if imp.target not in CORE_MAY_IMPORT_FROM_CLIENTS:
                problems.append(f"{imp}: the core may name only the record's models")
        elif (
            dst_layer == src_layer
            and src_layer > 1
            and imp.target.split(".")[-1] not in SIDEWAYS_ENTRY_POINTS
        ):
            problems.append(f"{imp}: sideways imports go through {dst_app}'s services or selectors")
    return problems


def views_violations(imports: list[Import]) -> list[str]:
    return [
        f"{imp}: another app's views are not a library (use its services, selectors or a helper module)"
        for imp in imports
        if app_of(imp.source) != app_of(imp.target) and is_views_module(imp.target)
    ]


def cycles(imports: list[Import]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.source != imp.target and not imp.source.startswith(imp.target + "."):
            graph.setdefault(imp.source, set()).add(imp.target)
            graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# --- the checker itself, on made-up trees --------------------------------------------------------


def _tree(**sources: str) -> dict[str, tuple[str, bool]]:
    return {name.replace("__", "."): (text, False) for name, text in sources.items()}


def test_an_import_up_a_layer_is_reported():
    modules = _tree(clients__services="from plans.models import Plan\n", plans__models="")
    assert layer_violations(all_imports(modules)) == [
        "clients.services:1 imports plans.models: clients (layer 1) may not import plans (layer 3)"
    ]


def test_a_function_level_import_counts_and_a_type_checking_one_does_not():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from crisis.models import CrisisEpisode\n"
        "def f():\n    from crisis import services\n"
    )
    modules = _tree(outreach__rules=source, crisis__services="", crisis__models="")
    assert [str(i) for i in all_imports(modules)] == ["outreach.rules:5 imports crisis.services"]
    assert len(layer_violations(all_imports(modules))) == 1


def test_sideways_imports_must_go_through_services_or_selectors():
    modules = _tree(
        peers__services="from plans.models import Plan\nfrom plans import selectors\n",
        plans__models="",
        plans__selectors="",
    )
    assert layer_violations(all_imports(modules)) == [
        "peers.services:1 imports plans.models: sideways imports go through plans's services or selectors"
    ]


def test_the_core_may_name_client_models_but_nothing_else_of_the_record():
    modules = _tree(
        careteam__access="from clients.models import Client\nfrom clients.selectors import x\n",
        clients__models="",
        clients__selectors="",
    )
    assert layer_violations(all_imports(modules)) == [
        "careteam.access:2 imports clients.selectors: the core may name only the record's models"
    ]


def test_nothing_imports_the_project_package_and_config_imports_anything():
    modules = _tree(careteam__health="from config.celery import app\n", config__urls="import workspace.api\n")
    modules["config.celery"] = ("", False)
    modules["workspace.api"] = ("", False)
    assert layer_violations(all_imports(modules)) == [
        "careteam.health:1 imports config.celery: nothing imports the project package"
    ]
    assert views_violations(all_imports(modules)) == []


def test_importing_another_apps_views_is_reported_even_downward():
    modules = _tree(plans__views="from clients.views import ChartMixin\n", clients__views="")
    assert views_violations(all_imports(modules)) == [
        "plans.views:1 imports clients.views: another app's views are not a library "
        "(use its services, selectors or a helper module)"
    ]


def test_relative_imports_resolve_and_a_cycle_is_found():
    modules = _tree(
        outreach__services="def f():\n    from .tasks import send\n",
        outreach__tasks="from . import dispatch\n",
        outreach__dispatch="from .services import f\n",
    )
    assert cycles(all_imports(modules)) == [["outreach.dispatch", "outreach.services", "outreach.tasks"]]


# --- this repository -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repository_imports() -> list[Import]:
    return all_imports(read_tree(ROOT))


def test_the_checker_sees_this_repository(repository_imports):
    # A blind checker passes everything: make sure it reads real code and resolves real arrows.
    arrows = {(app_of(i.source), app_of(i.target)) for i in repository_imports}
    assert ("config", "referrals") in arrows
    assert ("crisis", "outreach") in arrows
    assert ("careteam", "clients") in arrows


def test_no_import_points_up_a_layer_or_sideways_past_services_and_selectors(repository_imports):
    assert layer_violations(repository_imports) == []


def test_no_module_imports_another_apps_views(repository_imports):
    assert views_violations(repository_imports) == []


def test_no_two_modules_import_each_other_even_through_others(repository_imports):
    assert cycles(repository_imports) == []


def test_every_named_exception_is_still_needed(repository_imports):
    used = {(i.source, i.target) for i in repository_imports}
    assert set(ALLOWED) <= used, f"remove stale exceptions: {set(ALLOWED) - used}"
