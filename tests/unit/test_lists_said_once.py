"""Each list said once: a report's rules (the API's JSON Schema and the services' check made
from one declaration), export columns with their getters and types in one place (the types of
what an import reads back taken from its row model), the command line's import kinds from the
import registry, an action's status words from one filter."""

from __future__ import annotations

import itertools
from pathlib import Path

import jsonschema
import pytest

from tracker.cli import imports as import_commands
from tracker.queries.exports import EXPORTS, Column, Export
from tracker.schemas import reports
from tracker.schemas.rows import ProgressRow
from tracker.schemas.rules import broken
from tracker.services.imports import IMPORT_KINDS

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("kind", ["progress", "actions", "partners"])
def test_what_an_import_reads_back_is_typed_by_its_row_model(kind):
    export = EXPORTS[kind]
    assert export.reads_back is not None
    read = export.reads_back.model_fields
    assert set(read) <= set(export.columns)
    for column in export.fields:
        if column.name in read:
            assert column.type == read[column.name].annotation, column.name
        else:
            assert column.type is not None, column.name


def test_an_export_that_leaves_out_a_column_its_import_reads_is_refused():
    kept = tuple(c for c in EXPORTS["progress"].fields if c.name != "action")
    with pytest.raises(ValueError, match="action"):
        Export(kept, EXPORTS["progress"].query, (), reads_back=ProgressRow)
    with pytest.raises(ValueError, match="without a type"):
        Export((Column("note", lambda u: u.note),), EXPORTS["progress"].query, ())


def test_the_command_line_offers_exactly_the_registered_import_kinds():
    assert set(import_commands.commands) == set(IMPORT_KINDS)


def test_status_words_come_from_the_filter_only():
    passing = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if "status_badge(" in p.read_text() and ", labels" in p.read_text()
    ]
    assert passing == []


def bodies() -> list[dict]:
    """Every combination of the fields the progress rules tie together."""
    made = []
    for status, percent, indicator, value, corrects, day, note in itertools.product(
        ("done", "on_track"),
        (50, 100),
        (None, 7),
        (None, 1.5),
        (None, 3),
        (None, "2025-01-02"),
        (None, "  ", "counted twice"),
    ):
        body = {"status": status, "percent_complete": percent, "indicator_id": indicator}
        body |= {"indicator_value": value, "corrects_id": corrects, "reported_on": day}
        body["note"] = note
        made.append({k: v for k, v in body.items() if v is not None})
    return made


@pytest.mark.parametrize(
    ("model", "rules", "examples"),
    [
        ("progress", "PROGRESS_RULES", bodies()),
        (
            "milestone",
            "MILESTONE_RULES",
            [
                {k: v for k, v in b.items() if v is not None}
                for b in (
                    {"kind": kind, "completed_on": done, "due_on": due, "note": note}
                    for kind, done, due, note in itertools.product(
                        ("done", "move", "reopen"),
                        (None, "2025-01-02"),
                        (None, "2025-03-04"),
                        (None, " ", "the council met later"),
                    )
                )
            ],
        ),
    ],
)
def test_the_document_and_the_services_refuse_the_same_reports(app, model, rules, examples):
    """One declaration of the rules: a body the API's JSON Schema accepts is one the services
    accept, and a refused body is refused by both, in the rule's words."""
    shape = {"progress": reports.ProgressReport, "milestone": reports.MilestoneReport}[model]
    declared = getattr(reports, rules)
    schema = shape.model_json_schema()
    refused_somewhere = 0
    for body in examples:
        by_schema = not jsonschema.Draft202012Validator(schema).is_valid(body)
        report = shape.model_validate(body)
        by_services = broken(declared, report)
        assert by_schema == bool(by_services), body
        refused_somewhere += by_schema
    assert 0 < refused_somewhere < len(examples)
