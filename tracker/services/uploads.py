"""Reading an uploaded table: the file checked before it is parsed, its rows read as a stream
and refused past the limits, so memory and time stay bounded whatever the file declares."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from tracker.domain.errors import Invalid

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class UploadLimits:
    """What an uploaded file may be, checked before and while it is read, so that memory and
    time stay bounded whatever the file declares."""

    max_bytes: int = 2 * 1024 * 1024
    max_rows: int = 10_000
    max_columns: int = 50
    # .xlsx is a zip: its entries together, their compression ratio, and how many there are.
    max_expanded_bytes: int = 20 * 1024 * 1024
    max_ratio: int = 100
    max_entries: int = 100

    @classmethod
    def from_config(cls, config: Any) -> UploadLimits:
        return cls(
            max_bytes=config["IMPORT_MAX_BYTES"],
            max_rows=config["IMPORT_MAX_ROWS"],
            max_columns=config["IMPORT_MAX_COLUMNS"],
            max_expanded_bytes=config["IMPORT_MAX_EXPANDED_BYTES"],
        )


def check_upload(filename: str, content: bytes, limits: UploadLimits) -> str:
    """The file's type ("csv" or "xlsx"), or Invalid: too large, a path for a name, not what
    its name says, or a workbook that would expand beyond the limits."""
    if (
        not filename
        or "/" in filename
        or "\\" in filename
        or ".." in filename
        or filename.startswith(".")
    ):
        raise Invalid(_("Give a plain file name, not a path."), field="file")
    if len(content) > limits.max_bytes:
        raise Invalid(
            _("The file is larger than %(value)s KB.", value=limits.max_bytes // 1024), field="file"
        )
    if not content:
        raise Invalid(_("The file is empty."), field="file")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        if not content.startswith(XLSX_MAGIC) or not zipfile.is_zipfile(io.BytesIO(content)):
            raise Invalid(_("This .xlsx file is not a spreadsheet."), field="file")
        check_workbook_size(content, limits)
        return "xlsx"
    if extension == "csv":
        if b"\x00" in content or content.startswith(XLSX_MAGIC):
            raise Invalid(_("This .csv file is not text."), field="file")
        try:
            content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid(_("A .csv file must be UTF-8 text."), field="file") from exc
        return "csv"
    raise Invalid(_("Upload a .csv or .xlsx file."), field="file")


def check_workbook_size(content: bytes, limits: UploadLimits) -> None:
    """Read the zip's directory, not its contents: refuse a workbook that would expand beyond
    the limit, compresses suspiciously well, or has too many parts. (Python's zip reader never
    expands an entry beyond the size the directory declares for it.)"""
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Invalid(_("This .xlsx file is damaged."), field="file") from exc
    if len(entries) > limits.max_entries:
        raise Invalid(
            _(
                "This .xlsx file has %(value)s parts; at most %(max_entries)s are accepted.",
                value=len(entries),
                max_entries=limits.max_entries,
            ),
            field="file",
        )
    expanded = sum(e.file_size for e in entries)
    if expanded > limits.max_expanded_bytes:
        raise Invalid(
            _(
                "This .xlsx file would expand to %(value)s MB; at most %(value2)s MB are accepted.",
                value=expanded // (1024 * 1024),
                value2=limits.max_expanded_bytes // (1024 * 1024),
            ),
            field="file",
        )
    for entry in entries:
        if entry.file_size > limits.max_ratio * max(entry.compress_size, 1) and (
            entry.file_size > 1024 * 1024
        ):
            raise Invalid(
                _(
                    "This .xlsx file compresses %(value)s to 1; at most %(max_ratio)s to 1 is "
                    "accepted.",
                    value=entry.file_size // max(entry.compress_size, 1),
                    max_ratio=limits.max_ratio,
                ),
                field="file",
            )


def _xlsx_rows(content: bytes, limits: UploadLimits) -> Generator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not book.worksheets:
            raise ImportRejected(
                [
                    RowError(
                        1,
                        "-",
                        _(
                            "the workbook has no sheet to read: open it in a spreadsheet, save "
                            "it again as .xlsx or as CSV (UTF-8), and upload that"
                        ),
                    )
                ]
            )
        sheet = book.worksheets[0]
        # The declared dimension is ignored: a sheet that claims A1:XFD1048576 is not padded.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        # Its own words ("list index out of range") tell a person nothing: say what to do.
        raise ImportRejected(
            [
                RowError(
                    1,
                    "-",
                    _(
                        "the workbook cannot be read (it may be damaged, protected with a "
                        "password, or not an Excel workbook): open it in a spreadsheet, save "
                        "it again as .xlsx or as CSV (UTF-8), and upload that"
                    ),
                )
            ]
        ) from exc


def _csv_rows(content: bytes) -> Generator[Sequence[Any]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = _("the CSV cannot be read: %(exc)s", exc=exc)
            if "field limit" in str(exc):
                reason = _(
                    "a field is longer than %(n)s characters (the limit)",
                    n=csv.field_size_limit(),
                )
            raise ImportRejected([RowError(reader.line_num, "-", reason)]) from exc
        yield row


def read_table(
    kind: str, content: bytes, limits: UploadLimits | None = None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the non-empty rows, read as a stream and refused past the limits."""
    limits = limits or UploadLimits()
    with contextlib.ExitStack() as stack:
        source = _xlsx_rows(content, limits) if kind == "xlsx" else _csv_rows(content)
        stack.callback(source.close)
        header_row = next(source, None)
        if header_row is None:
            raise ImportRejected([RowError(1, "-", _("the file has no header row"))])
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and not header[-1]:
            header.pop()  # empty cells after the last column name: padding, not columns
        if not header:
            raise ImportRejected([RowError(1, "-", _("the file has no header row"))])
        if len(header) > limits.max_columns:
            raise ImportRejected(
                [
                    RowError(
                        1,
                        "-",
                        _("more than %(n)s columns (the limit)", n=limits.max_columns),
                    )
                ]
            )
        rows = []
        for number, values in enumerate(source, 2):
            if number > limits.max_rows + 1:
                raise ImportRejected(
                    [
                        RowError(
                            number,
                            "-",
                            f"more than {limits.max_rows} rows; split the file (the limit is "
                            f"{limits.max_rows} rows)",
                        )
                    ]
                )
            if not any(v not in (None, "") for v in values):
                continue
            rows.append(
                (number, {h: values[i] if i < len(values) else None for i, h in enumerate(header)})
            )
    return header, rows
