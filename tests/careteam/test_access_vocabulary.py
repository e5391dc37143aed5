"""One access vocabulary (zulip's ``access_*`` family), held by reading the source with ``ast``.

- A predicate is named ``<entity>_can_<verb>`` and lives in its app's ``selectors.py`` (the core's in
  ``careteam/access.py``); no ``may_*`` / ``can_*`` names anywhere.
- Pages, APIs, hooks, forms and serializers call predicates; they never define one, by name or by
  shape (a function or lambda that is one boolean answer over ``has_perm`` and friends), nor write
  one inline (``has_perm(...) and client_can_access(...)`` in a view: name it in ``selectors.py``).
- Templates read the flags a view passes (``can_change_appointments``); they never combine ``perms.``
  with ``and`` / ``or`` in one ``{% if %}``, nor pass ``perms.`` on as a page's ``can_*`` answer
  (the role alone is not whether the user may change *this* client).
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
# A call to a predicate: what it is made of is its own business, so the inline-rule check does not
# look inside one (the primitives ``client_can_access`` / ``clients_can_see_all`` excepted).
PREDICATE_CALL = re.compile(r"_can_")
TEMPLATES = ROOT / "templates"
IF_TAG = re.compile(r"\{%-?\s*(?:el)?if\b(?P<condition>.*?)-?%\}", re.DOTALL)
WITH_TAG = re.compile(r"\{%-?\s*(?:include|with)\b(?P<body>.*?)-?%\}", re.DOTALL)
PERMS = re.compile(r"(?<![\w.])perms\.")
AND_OR = re.compile(r"\b(?:and|or)\b")
PASSED_ON_PERMS = re.compile(r"\b\w+\s*=\s*perms\.")


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


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _primitives_outside_predicates(node: ast.AST) -> set[str]:
    """Permission primitives called in ``node``, not counting those inside a predicate's call."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Call):
            name = _call_name(current)
            if name in PERMISSION_PRIMITIVES:
                found.add(name)
            elif PREDICATE_CALL.search(name):
                continue  # a named rule: what it is made of is its own business
        stack.extend(ast.iter_child_nodes(current))
    return found


def inline_rule_violations(module: str, source: str) -> list[str]:
    """``a and b`` / ``a or b`` over a permission primitive in a page module: a rule written inline
    (``has_perm(...) and client_can_access(...)``, ``can_change and has_perm(...)``). One primitive
    on its own (``if not user.has_perm(...)``, ``permission_required``) is a check, not a rule."""
    if not is_page_module(module):
        return []
    problems = []
    nested: set[int] = set()
    for node in ast.walk(ast.parse(source)):  # breadth first: the outermost ``and`` / ``or`` comes first
        if not isinstance(node, ast.BoolOp) or id(node) in nested:
            continue
        nested.update(id(n) for n in ast.walk(node) if n is not node and isinstance(n, ast.BoolOp))
        used = _primitives_outside_predicates(node)
        if used:
            problems.append(
                f"{module}:{node.lineno}: {', '.join(sorted(used))} combined with and/or is an inline "
                "rule: name it <entity>_can_<verb> in the app's selectors.py and call that"
            )
    return problems


CHECKS = (
    name_violations,
    page_predicate_violations,
    inline_rule_violations,
    client_or_404_violations,
    permission_class_violations,
)


def violations(modules: dict[str, str]) -> list[str]:
    return [
        problem for name, source in modules.items() for check in CHECKS for problem in check(name, source)
    ]


def template_violations(name: str, text: str) -> list[str]:
    """``perms.`` with ``and`` / ``or`` in one ``{% if %}``, or ``perms.`` passed on as a flag
    (``{% include … with can_change=perms.… %}``): the page decides, in a predicate, and passes a flag."""
    problems = []
    for match in IF_TAG.finditer(text):
        condition = match["condition"]
        if PERMS.search(condition) and AND_OR.search(condition):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(
                f"{name}:{line}: perms. combined with and/or in one if: pass a can_* flag from the "
                "view, worked out by the app's <entity>_can_<verb> predicate"
            )
    for match in WITH_TAG.finditer(text):
        if PASSED_ON_PERMS.search(match["body"]):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(
                f"{name}:{line}: perms. passed on as a flag answers for the role, not for this client: "
                "pass the view's can_* flag instead"
            )
    return problems


def template_texts() -> dict[str, str]:
    """``{path under templates/: text}`` for every template."""
    return {
        str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt"} and path.is_file()
    }


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


def test_it_flags_a_rule_written_inline_in_a_page_module():
    combined = (
        "def post(self, request, pk=None):\n"
        "    if not request.user.has_perm('x.change_thing') or not access.client_can_access(\n"
        "        request.user, thing.client, access.CHANGE\n"
        "    ):\n"
        "        self.permission_denied(request)\n"
    )
    assert violations({"things.api": combined}) == [
        "things.api:2: client_can_access, has_perm combined with and/or is an inline rule: name it "
        "<entity>_can_<verb> in the app's selectors.py and call that"
    ]
    flag = "ctx = dict(can_send=can_change and user.has_perm('x.add_thing'))\n"
    assert violations({"things.views": flag})
    assert violations({"things.forms": flag})
    assert violations({"things.hooks": "x = selectors.things_can_see(u) or not u.has_perm('x.view')\n"})
    # A predicate holds the rule; a single check, a status beside a predicate, or a selectors module
    # spelling the rule out are all fine.
    assert not violations({"things.selectors": combined})
    assert not violations({"things.views": "class V:\n    permission_required = 'x.change_thing'\n"})
    assert not violations({"things.views": "if not request.user.has_perm('x.view'):\n    raise Http404\n"})
    assert not violations({"things.views": "ok = thing.is_open and selectors.things_can_change(u, c)\n"})
    assert not violations({"things.views": "ok = selectors.things_can_change(u, c) or u.is_staff\n"})


def test_it_flags_a_template_that_combines_perms_or_passes_them_on():
    combined = "<p>\n{% if can_edit and perms.clients.add_thing %}x{% endif %}"
    assert template_violations("t.html", combined) == [
        "t.html:2: perms. combined with and/or in one if: pass a can_* flag from the view, worked out by "
        "the app's <entity>_can_<verb> predicate"
    ]
    assert template_violations("t.html", "{% if a %}{% elif not x or perms.crisis.change_plan %}{% endif %}")
    assert template_violations("t.html", "{% if perms.clients.archive_client\n and not minimum_necessary %}")
    assert template_violations(
        "t.html", '{% include "row.html" with can_change=perms.clients.change_appointment %}'
    )
    assert not template_violations("t.html", "{% if perms.clients.add_client %}New{% endif %}")
    assert not template_violations("t.html", "{% if can_edit and not draft %}{% endif %}")
    assert not template_violations("t.html", "{% for holder, held in users_perms.items %}{% endfor %}")
    assert not template_violations("t.html", '{% include "row.html" with can_change=can_change_things %}')


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


def test_no_page_api_hook_or_form_writes_a_rule_inline():
    problems = [p for name, source in app_modules().items() for p in inline_rule_violations(name, source)]
    assert not problems, "\n".join(problems)


def test_the_checker_reads_the_templates():
    texts = template_texts()
    assert "clients/encounters/tab.html" in texts and len(texts) > 50


def test_no_template_combines_perms_with_other_conditions():
    problems = [p for name, text in template_texts().items() for p in template_violations(name, text)]
    assert not problems, "\n".join(problems)


def test_there_is_one_client_or_404():
    problems = [p for name, source in app_modules().items() for p in client_or_404_violations(name, source)]
    assert not problems, "\n".join(problems)


def test_the_api_has_one_read_permission_class():
    problems = [
        p for name, source in app_modules().items() for p in permission_class_violations(name, source)
    ]
    assert not problems, "\n".join(problems)
