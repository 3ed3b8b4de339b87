"""How long hostile uploads take to be refused: the 4.8 KB workbook that declares A1:XFD1048576
and a deflate bomb, each refused by the import's checks. Prints a table; asserts nothing.

    .venv/bin/python bench/uploads.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.unit.test_upload_limits import deflate_bomb, dimension_file
from tracker.domain.errors import Invalid
from tracker.services.uploads import (
    ImportRejected,
    UploadLimits,
    check_upload,
    read_table,
)


def refuse(name: str, content: bytes) -> None:
    limits = UploadLimits()
    try:
        read_table(check_upload(name, content, limits), content, limits)
    except (ImportRejected, Invalid):
        return
    raise SystemExit(f"{name} was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = {
        "dimension file": ("sheet.xlsx", dimension_file()),
        "deflate bomb": ("bomb.xlsx", deflate_bomb()),
    }
    print(f"{'file':<16}{'size':>10}{'median s':>10}{'max s':>8}")
    for label, (name, content) in files.items():
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            refuse(name, content)
            times.append(time.perf_counter() - started)
        print(f"{label:<16}{len(content):>10}{statistics.median(times):>10.3f}{max(times):>8.3f}")


if __name__ == "__main__":
    main()
