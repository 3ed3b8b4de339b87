"""The shape of tracker/, as the build enforces it: every module placed in a layer of the
contract (.importlinter, run by `make lint`), an upward import refused, no part reading Flask's
request below the web, no cycle between parts, no module over 400 lines, one module inserting
progress rows (test_one_ledger.py) and ARCHITECTURE.md naming every package."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tracker"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Below the web, nothing reads the request: what a service needs of it is passed in.
BELOW_THE_WEB = ("services", "queries", "schemas", "domain", "models", "charts")
REQUEST_NAMES = {"request", "has_request_context", "url_for", "session", "g"}
MOST_LINES = 400


def parts() -> set[str]:
    """The parts of tracker/: its modules and packages one level down."""
    return {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }


def layered() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return {name for name in re.split(r"[\s:|]+", layers) if name}


def test_every_part_of_tracker_is_placed_in_a_layer():
    assert parts() == layered(), "place each new part in .importlinter and ARCHITECTURE.md"


def test_the_layers_hold_and_an_upward_import_is_refused(tmp_path):
    if not LINT_IMPORTS.exists():
        pytest.skip("lint-imports is not installed (pip install -e '.[test]')")

    def lint(root: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(root)}
        return subprocess.run(
            [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert lint(ROOT).returncode == 0
    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "tracker", ignore=shutil.ignore_patterns("static", "*.mo"))
    shutil.copy(ROOT / ".importlinter", copy)
    service = copy / "tracker" / "services" / "plans.py"
    service.write_text(service.read_text() + "\nfrom tracker.main import present  # upward\n")
    refused = lint(copy)
    assert refused.returncode != 0
    assert "tracker.services.plans -> tracker.main.present" in refused.stdout


def test_nothing_below_the_web_reads_the_request():
    readers = []
    for part in BELOW_THE_WEB:
        for path in (PACKAGE / part).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flask"):
                    named = {a.name for a in node.names} & REQUEST_NAMES
                    if node.module in {"flask", "flask.globals", "flask.helpers"} and named:
                        readers.append(f"{path.relative_to(ROOT)}: {sorted(named)}")
    assert readers == []


def test_the_parts_form_no_cycle():
    """Between parts, imports inside functions included: an import hidden in a function is
    still an import. (A blueprint's package and its routes module are one part.)"""
    graph = grimp.build_graph("tracker", exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = module.split(".")[1:2], imported.split(".")[1:2]
            if a and b and a != b and imported.startswith("tracker."):
                edges[a[0]].add(b[0])
    cycles = []
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            part = todo.pop()
            if part == start:
                cycles.append(start)
                break
            if part not in seen:
                seen.add(part)
                todo.extend(edges.get(part, ()))
    assert cycles == []


def test_no_module_of_tracker_is_over_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MOST_LINES
    }
    assert long == {}


def test_architecture_names_every_part_and_the_readme_links_it():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`tracker/([a-z0-9_]+)(?:/|\.py)`", text))
    assert parts() - named == set(), "describe each part of tracker/ in ARCHITECTURE.md"
    assert named - parts() - {"__init__"} == set(), "ARCHITECTURE.md names a part that is gone"
    assert "ARCHITECTURE.md" in (ROOT / "README.md").read_text()
