"""One access vocabulary (zulip's ``access_*`` family), held by reading the source with ``ast``.

- A predicate is named ``<entity>_can_<verb>`` and lives in its app's ``selectors.py`` (the core's in
  ``careteam/access.py``); no ``may_*`` / ``can_*`` names anywhere.
- Pages, APIs, hooks, forms and serializers call predicates; they never define one, by name or by
  shape (a function or lambda that is one boolean answer over ``has_perm`` and friends).
- One client-or-404: ``clients.selectors.client_get_for_user``.
- One model-permission class for the API: ``careteam.api_base.ReadPermissions``.

The first tests run the checks on small made-up modules, so a checker that has gone blind fails
too; the last ones run them on this repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("careteam", "clients", "outreach", "plans", "referrals", "peers", "crisis", "workspace", "dashboards")

# Off-scheme predicate names: the ``may_see_*`` / ``can_edit_*`` families this vocabulary replaced.
OFF_SCHEME = re.compile(r"^_?(may|can)_")
# Status tables answer about a status, not a user (``StateMachine.can_move``): not access.
NOT_ACCESS_MODULES = {"states", "statemachine"}
# Modules that call predicates and must not define them: pages, APIs (and their serializers), chart
# and Today hooks, app configs, forms, the navigation.
PAGE_MODULES = {
    "views",
    "api",
    "hooks",
    "registry",
    "today",
    "apps",
    "forms",
    "serializers",
    "context_processors",
}
PREDICATE_NAME = re.compile(r"(^_?(may|can)_|_can_|visible|^sees_)")
# What a predicate is made of; a page module answering yes/no from these re-implements one.
PERMISSION_PRIMITIVES = {
    "has_perm",
    "has_perms",
    "has_role",
    "client_can_access",
    "minimum_necessary_view",
    "clients_can_see_all",
    "clients_visible_to",
}
THE_CLIENT_OR_404 = "clients.selectors"
# Other lookups that answer a client or 404, each with its reason. Keep this short.
OTHER_CLIENT_LOOKUPS = {
    "crisis.selectors": "a client one may open an episode for: crisis workers reach unassigned people too",
}
THE_PERMISSION_CLASS_MODULE = "careteam.api_base"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, str]:
    """``{dotted module: source}`` for every app module (not migrations)."""
    modules = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path.read_text(encoding="utf-8")
    return modules


def is_page_module(module: str) -> bool:
    last = module.split(".")[-1]
    return last in PAGE_MODULES or last.endswith("_views")


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
    return names


def _answers_yes_no_from_permissions(expr: ast.AST) -> bool:
    """``a and b`` / ``not a`` / ``a or b`` over a permission primitive: a predicate's body."""
    return isinstance(expr, ast.BoolOp | ast.UnaryOp) and bool(_called_names(expr) & PERMISSION_PRIMITIVES)


def _body_returns(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        return body[0].value
    return None


def name_violations(module: str, source: str) -> list[str]:
    """``may_*`` / ``can_*`` functions anywhere (status tables aside)."""
    if module.split(".")[-1] in NOT_ACCESS_MODULES:
        return []
    return [
        f"{module}:{node.lineno} {node.name}: name predicates <entity>_can_<verb> (e.g. notes_can_read)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and OFF_SCHEME.match(node.name)
    ]


def page_predicate_violations(module: str, source: str) -> list[str]:
    """Predicates defined in a page, API, hook, app config, form or serializer module."""
    if not is_page_module(module):
        return []
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            returned = _body_returns(node)
            if PREDICATE_NAME.search(node.name) or (
                returned is not None and _answers_yes_no_from_permissions(returned)
            ):
                problems.append(
                    f"{module}:{node.lineno} {node.name}: predicates live in the app's selectors.py "
                    "(careteam/access.py for the core); call them from here"
                )
        elif isinstance(node, ast.Lambda) and (
            _answers_yes_no_from_permissions(node.body)
            or (isinstance(node.body, ast.Call) and _called_names(node.body) & PERMISSION_PRIMITIVES)
        ):
            problems.append(
                f"{module}:{node.lineno} lambda: pass the app's <entity>_can_<verb> predicate instead"
            )
    return problems


def _names_client(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr == "DoesNotExist" and ast.unparse(n.value) == "Client"
        for n in ast.walk(node)
    )


def client_or_404_violations(module: str, source: str) -> list[str]:
    """An ``except Client.DoesNotExist`` that answers 404, outside the one client-or-404 helper."""
    if module == THE_CLIENT_OR_404 or module in OTHER_CLIENT_LOOKUPS:
        return []
    problems = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.ExceptHandler)
            and node.type is not None
            and _names_client(node.type)
            and any(isinstance(n, ast.Raise) and "Http404" in ast.unparse(n) for n in ast.walk(node))
        ):
            problems.append(
                f"{module}:{node.lineno}: a client or 404 is clients.selectors.client_get_for_user"
            )
    return problems


def permission_class_violations(module: str, source: str) -> list[str]:
    """A ``DjangoModelPermissions`` subclass, or a ``perms_map`` of its own, outside careteam.api_base."""
    if module == THE_PERMISSION_CLASS_MODULE:
        return []
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {ast.unparse(b).split(".")[-1] for b in node.bases}
        sets_perms_map = any(
            isinstance(stmt, ast.Assign | ast.AnnAssign)
            and "perms_map"
            in {ast.unparse(t) for t in getattr(stmt, "targets", [getattr(stmt, "target", None)])}
            for stmt in node.body
        )
        if "DjangoModelPermissions" in bases or sets_perms_map:
            problems.append(
                f"{module}:{node.lineno} {node.name}: use careteam.api_base.ReadPermissions "
                "(compose another permission with it for anything more)"
            )
    return problems


CHECKS = (name_violations, page_predicate_violations, client_or_404_violations, permission_class_violations)


def violations(modules: dict[str, str]) -> list[str]:
    return [
        problem for name, source in modules.items() for check in CHECKS for problem in check(name, source)
    ]


# --- the checker on made-up modules ---------------------------------------------------------------


def test_it_flags_a_predicate_defined_in_a_views_module():
    source = "def can_edit_things(user, client):\n    return user.has_perm('x.change_thing')\n"
    assert len(violations({"things.views": source})) == 2  # off-scheme, and in a page module
    assert violations({"things.selectors": source}) == [
        "things.selectors:1 can_edit_things: name predicates <entity>_can_<verb> (e.g. notes_can_read)"
    ]


def test_it_flags_a_well_named_predicate_or_a_visibility_hook_in_a_page_module():
    assert violations({"things.api": "def things_can_edit(user):\n    return True\n"})
    assert violations({"things.hooks": "def tab_visible(user, client):\n    return True\n"})
    assert violations({"things.serializers": "class S:\n    def may_see(self, user):\n        return 1\n"})
    assert not violations({"things.selectors": "def things_can_edit(user):\n    return True\n"})


def test_it_flags_a_predicate_by_its_shape_whatever_its_name():
    helper = (
        "def _editable(user, client):\n"
        "    '''Doc.'''\n"
        "    return user.has_perm('x.change') and access.client_can_access(user, client, access.CHANGE)\n"
    )
    assert violations({"things.chart_views": helper})
    assert violations({"things.apps": "TAB = dict(visible=lambda user, client: user.has_perm('x.view'))\n"})
    assert not violations({"things.apps": "TAB = dict(visible=selectors.things_can_see)\n"})
    # Calling predicates inside a view is what views do.
    view = (
        "def get(self, request):\n    if not selectors.things_can_see(request.user):\n        raise Http404\n"
    )
    assert not violations({"things.views": view})


def test_it_leaves_status_tables_alone():
    assert not violations({"things.states": "def can_move(a, b):\n    return True\n"})


def test_it_flags_a_second_client_or_404():
    source = (
        "def _visible_client(user, pk):\n"
        "    try:\n"
        "        return access.clients_visible_to(user).get(pk=pk)\n"
        "    except (Client.DoesNotExist, ValueError) as exc:\n"
        "        raise Http404 from exc\n"
    )
    assert any("client_get_for_user" in p for p in violations({"things.api": source}))
    assert not client_or_404_violations("clients.selectors", source)


def test_it_flags_a_copy_of_the_read_permission_class():
    copy = "class ThingPermissions(DjangoModelPermissions):\n    perms_map = {}\n"
    assert violations({"things.api": copy})
    assert violations({"things.api": "class P(permissions.DjangoModelPermissions):\n    pass\n"})
    assert violations({"things.api": "class P(ReadPermissions):\n    perms_map = {'GET': []}\n"})
    assert not violations({"careteam.api_base": copy})
    assert not violations({"things.api": "class V:\n    permission_classes = [ReadPermissions]\n"})


# --- this repository ------------------------------------------------------------------------------


def test_the_checker_reads_this_repository():
    modules = app_modules()
    assert "careteam.access" in modules and "clients.selectors" in modules
    assert sum(is_page_module(m) for m in modules) > 20


def test_predicates_follow_one_naming_scheme():
    problems = [p for name, source in app_modules().items() for p in name_violations(name, source)]
    assert not problems, "\n".join(problems)


def test_no_page_api_hook_or_form_defines_a_predicate():
    problems = [p for name, source in app_modules().items() for p in page_predicate_violations(name, source)]
    assert not problems, "\n".join(problems)


def test_there_is_one_client_or_404():
    problems = [p for name, source in app_modules().items() for p in client_or_404_violations(name, source)]
    assert not problems, "\n".join(problems)


def test_the_api_has_one_read_permission_class():
    problems = [
        p for name, source in app_modules().items() for p in permission_class_violations(name, source)
    ]
    assert not problems, "\n".join(problems)
