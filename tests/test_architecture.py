"""The layout's rules that import-linter does not state (ADR 0012): no import cycle between any
two modules, no import hidden inside a function without a reason, no `import *`, and templates
that follow the same layers as the code.

The layers themselves are the import-linter contracts in pyproject.toml (`lint-imports`, in the
lint pass); the order of the apps is read from there, so there is one list.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES: list[str] = CONFIG["root_packages"]


def app_layers() -> list[set[str]]:
    """The `apps` contract's layers, top first: each a set of apps that may not import above."""
    contract = next(c for c in CONFIG["contracts"] if c["id"] == "apps")
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def project_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield module, path


# --- import cycles ------------------------------------------------------------------------------


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: every group of modules that import each other, directly or
    through others (groups of one without a self-import are left out)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    groups.append(sorted(group))
    return groups


def test_tarjan_finds_a_cycle_and_only_the_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(strongly_connected(graph)) == [["a", "b", "c"], ["e"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back_through_others() -> None:
    """Every import counts, at the top, inside a function or under TYPE_CHECKING: a cycle that
    only a function-level import keeps from failing is still a cycle."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    modules = {m for m in graph.modules if ".migrations" not in m}
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m in modules}
        for module in modules
    }
    assert len(modules) > 200  # the walk saw the project, not an empty path
    cycles = strongly_connected(edges)
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


# --- imports inside functions, import * ---------------------------------------------------------


def test_an_import_inside_a_function_says_why() -> None:
    """Django's `AppConfig.ready()` is the one place that must import late (models are not loaded
    before); anywhere else a function-level import of the project needs a comment, on its line or
    the line above, giving the reason (ADR 0012: never to dodge a cycle)."""
    unexplained = []
    for module, path in project_modules():
        source = path.read_text()
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name == "ready" and path.name == "apps.py":
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    target = node.module
                elif isinstance(node, ast.Import):
                    target = node.names[0].name
                else:
                    continue
                if target.split(".")[0] not in PACKAGES:
                    continue
                here = lines[node.lineno - 1]
                above = lines[node.lineno - 2].strip()
                if "#" not in here and not above.startswith("#"):
                    unexplained.append(f"{module}:{node.lineno} {here.strip()}")
    assert unexplained == []


def test_no_star_imports_outside_the_settings_package() -> None:
    starred = [
        f"{module}:{node.lineno}"
        for module, path in project_modules()
        if not module.startswith("config.settings")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
    ]
    assert starred == []


# --- templates ----------------------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
REFERENCE = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def tag_libraries() -> dict[str, str]:
    """Each project template tag library and the app it belongs to."""
    return {
        path.stem: package
        for package in PACKAGES
        for path in (ROOT / package).glob("templatetags/*.py")
        if path.stem != "__init__"
    }


def allowed_apps(app: str) -> set[str]:
    """`app` itself and every app in a layer below it."""
    layers = app_layers()
    for position, layer in enumerate(layers):
        if app in layer:
            return {app}.union(*layers[position + 1 :])
    raise AssertionError(f"{app} is in no layer of the `apps` contract")


@pytest.mark.parametrize(
    "app", sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir() and p.name in PACKAGES)
)
def test_an_apps_templates_use_only_its_own_and_lower_apps_templates_and_tags(app: str) -> None:
    allowed = allowed_apps(app)
    libraries = tag_libraries()
    wrong = []
    for path in sorted((TEMPLATES / app).rglob("*.html")):
        text = path.read_text()
        for name in REFERENCE.findall(text):
            owner = name.split("/")[0] if "/" in name else None
            if owner in PACKAGES and owner not in allowed:
                wrong.append(f"{path.relative_to(ROOT)} uses the template {name}")
        for group in LOAD.findall(text):
            for library in group.split():
                owner = libraries.get(library)
                if owner is not None and owner not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)} loads {library} ({owner})")
    assert wrong == []


def test_the_template_rule_sees_a_template_that_reaches_up(tmp_path: Path) -> None:
    """The check above is not vacuous: intake may not show a caseworker template or tag."""
    assert "caseworker" not in allowed_apps("intake")
    assert tag_libraries()["ownership_tags"] == "caseworker"
    assert REFERENCE.findall('{% include "caseworker/_case_ownership.html" %}') == [
        "caseworker/_case_ownership.html"
    ]


def test_translations_are_marked_with_names_makemessages_finds() -> None:
    """#17: `gettext_lazy as _lazy` hid the settings page's labels from makemessages, so English
    and Arabic readers saw them in Swedish. Only `_` and the functions' own names are found."""
    found = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts[:1]:
            continue
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.search(r"from django\.utils\.translation import .*\b(\w+) as (\w+)", line)
            if match and match.group(2) != "_":
                found.append(f"{path.relative_to(ROOT)}:{line_number}: {line.strip()}")
    assert found == []
