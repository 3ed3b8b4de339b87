"""Each list said once: export columns with their getters and types in one place (the types of
what an import reads back taken from its row model), the command line's import kinds from the
import registry, an action's status words from one filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.cli import imports as import_commands
from tracker.queries.exports import EXPORTS, Column, Export
from tracker.schemas.rows import ProgressRow
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
