"""Bounded uploads: a workbook is checked by its zip directory before it is parsed, rows are read
as a stream and refused past the limits, and a hostile file costs neither memory nor time."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from tests.factories import make_user
from tests.helpers import login, snapshot, upload
from tracker.domain.errors import Invalid
from tracker.services.uploads import ImportRejected, UploadLimits, check_upload, read_table

HEADER = ["external_id", "action", "reported_on", "status", "percent_complete"]


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML rewritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            archive.writestr(info, data)
    return out.getvalue()


def dimension_file() -> bytes:
    """4.8 KB: a sheet that declares A1:XFD1048576 and numbers its last row 1048576."""
    return with_sheet(
        workbook([HEADER, ["x1", "bamberg/p/a", "2024-01-01", "on_track", 10]]),
        lambda xml: re.sub(
            r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml
        ).replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData>",
        ),
    )


def deflate_bomb(megabytes: int = 64) -> bytes:
    """A small file whose sheet expands to `megabytes` of XML."""
    content = workbook([HEADER])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info, source.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"<!-- padding -->" * 65536  # 1 MB
            for _ in range(megabytes):
                sheet.write(chunk)
    return out.getvalue()


def refused_cheaply(call):
    """Run `call`, which must refuse; return the refusal, having checked that the memory it
    took stayed small. (Its time is measured in bench/uploads.py, never asserted here.)"""
    tracemalloc.start()
    try:
        with pytest.raises((ImportRejected, Invalid)) as caught:
            call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return caught.value


def message_of(error) -> str:
    return error.message if isinstance(error, Invalid) else str(error.errors)


def test_the_dimension_file_is_refused_quickly_in_little_memory():
    content = dimension_file()
    assert len(content) < 6000
    limits = UploadLimits()

    def read() -> None:
        read_table(check_upload("sheet.xlsx", content, limits), content, limits)

    error = refused_cheaply(read)
    assert "more than 10000 rows" in message_of(error)
    # Reading stopped right past the limit, not at the 1,048,576 rows the sheet declares.
    assert [e.line for e in error.errors] == [10_002]


def test_a_deflate_bomb_is_refused_before_it_is_read():
    content = deflate_bomb()
    assert len(content) < 2 * 1024 * 1024
    error = refused_cheaply(lambda: check_upload("bomb.xlsx", content, UploadLimits()))
    assert "would expand to 64 MB; at most 20 MB" in message_of(error)


def test_a_workbook_that_compresses_too_well_is_refused():
    content = deflate_bomb(megabytes=4)  # under the size limit, far beyond the ratio
    error = refused_cheaply(lambda: check_upload("bomb.xlsx", content, UploadLimits()))
    assert "at most 100 to 1" in message_of(error)


def csv_of(rows: int, columns: int = 5) -> bytes:
    header = ",".join(HEADER + [f"extra{i}" for i in range(columns - 5)])
    body = "".join(
        f"id-{i},bamberg/p/a,2024-01-01,on_track,10{',' * (columns - 5)}\n" for i in range(rows)
    )
    return (header + "\n" + body).encode()


def test_the_row_limit_is_named_and_the_limit_itself_is_accepted():
    limits = UploadLimits()
    header, rows = read_table("csv", csv_of(10_000), limits)
    assert len(rows) == 10_000
    assert header == HEADER
    with pytest.raises(ImportRejected) as caught:
        read_table("csv", csv_of(10_001), limits)
    assert "the limit is 10000 rows" in str(caught.value.errors)
    book = workbook([HEADER, *([["id", "bamberg/p/a", "2024-01-01", "on_track", 10]] * 10_001)])
    with pytest.raises(ImportRejected) as caught:
        read_table("xlsx", book, limits)
    assert "the limit is 10000 rows" in str(caught.value.errors)


def test_the_column_limit_is_named():
    with pytest.raises(ImportRejected) as caught:
        read_table("csv", csv_of(1, columns=51), UploadLimits())
    assert "more than 50 columns" in str(caught.value.errors)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            (",".join(HEADER) + "\nid," + "x" * 200_000 + ",2024-01-01,on_track,1\n").encode(),
            "longer than",
        ),
        ((",".join(HEADER) + '\nid,"unclosed\n').encode(), "cannot be read"),
    ],
)
def test_a_hostile_csv_is_a_row_error_not_a_500(client, app, content, message):
    make_user("lead")
    login(client, "lead-all@example.org")
    before = snapshot()
    response = upload(client, "progress", content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_bare_carriage_return_ends_a_line():
    content = (",".join(HEADER) + "\rid,bamberg/p/a,2024-01-01,on_track,10\r").encode()
    header, rows = read_table("csv", content)
    assert header == HEADER
    assert rows[0][1]["external_id"] == "id"


def test_the_web_import_refuses_the_dimension_file_with_the_limit(client, app):
    make_user("lead")
    login(client, "lead-all@example.org")
    before = snapshot()
    response = upload(client, "progress", dimension_file(), name="sheet.xlsx")
    assert response.status_code == 400
    assert "the limit is 10000 rows" in response.get_data(as_text=True)
    assert snapshot() == before


def without_part(content: bytes, name: str) -> bytes:
    """The workbook with one of its parts left out, as a broken save leaves it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info, source.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_an_unreadable_workbook_is_explained_in_words_a_person_can_act_on(client, app, part):
    make_user("lead")
    login(client, "lead-all@example.org")
    broken = without_part(
        workbook([HEADER, ["id", "bamberg/p/a", "2024-01-01", "on_track", 1]]), part
    )
    before = snapshot()
    response = upload(client, "progress", broken, "sheet.xlsx")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "save it again as .xlsx or as CSV" in text
    assert "index out of range" not in text
    assert "KeyError" not in text
    assert snapshot() == before
