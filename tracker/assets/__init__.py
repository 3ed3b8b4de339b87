"""The app's static files and plotly.js, served by the app itself (no CDN: the app works on a
closed network), so that a second visit downloads only the page.

`build()` copies each file under a name that carries a hash of its content
(css/app.3f2a9c1e02b4.css) into the assets folder, with gzip and brotli copies beside it, and
writes a manifest. WhiteNoise serves that folder under /static/, in front of Flask: the
compressed copy the browser accepts, and one year of immutable caching, since a changed file
gets a new name. `make install` builds; an app that finds no current build makes one itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import plotly
from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

PACKAGE = Path(__file__).resolve().parent.parent
STATIC = PACKAGE / "static"
# plotly.js with only the trace types the app draws (tracker/assets/plotly, built by `make
# install` with npm); without npm, the whole plotly.js of the plotly package, four times larger.
PLOTLY_BUNDLE = PACKAGE.parent / "build" / "plotly" / "plotly.min.js"
PLOTLY_FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PREFIX = "/static/"
MANIFEST = "manifest.json"
ONE_YEAR = 365 * 24 * 3600


def sources() -> Iterator[tuple[str, Path]]:
    """(name in templates, file): the package's static files, and plotly.js."""
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            yield path.relative_to(STATIC).as_posix(), path
    yield "js/plotly.min.js", plotly_js()


def plotly_js() -> Path:
    """The plotly.js the app serves: the small bundle when it is built, else the full one."""
    return PLOTLY_BUNDLE if PLOTLY_BUNDLE.is_file() else PLOTLY_FULL


def hashed_name(name: str, content: bytes) -> str:
    digest = hashlib.blake2b(content, digest_size=6).hexdigest()
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _wanted() -> dict[str, tuple[str, Path]]:
    return {name: (hashed_name(name, path.read_bytes()), path) for name, path in sources()}


def build(folder: Path, *, quiet: bool = True) -> dict[str, str]:
    """Write every asset under its hashed name, compressed beside it, and the manifest; files
    already there are kept (their names say their content). Safe to run concurrently."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = _wanted()
    compressor = Compressor(quiet=quiet, log=lambda *_args, **_kw: None)
    for hashed, path in wanted.values():
        target = folder / hashed
        if target.exists() and target.with_name(target.name + ".gz").exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        for made in _compressed_copies(path, compressor):
            suffix = made.name[len(path.name) :]
            os.replace(made, target.with_name(target.name + suffix))
    manifest = {name: hashed for name, (hashed, _path) in wanted.items()}
    _write_atomically(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _compressed_copies(path: Path, compressor: Compressor) -> list[Path]:
    """The file and its .gz and .br copies, made in a scratch folder: [file, *copies]."""
    scratch = Path(tempfile.mkdtemp(prefix="tracker-assets-"))
    copy = scratch / path.name
    shutil.copyfile(path, copy)
    made = [copy, *(Path(p) for p in compressor.compress(str(copy)))]
    # The plain file last, so that a file present means its copies are too.
    return [*made[1:], made[0]]


def _write_atomically(path: Path, text: str) -> None:
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(scratch, path)


def current_manifest(folder: Path) -> dict[str, str]:
    """The build's manifest if it matches the files as they are now, else a fresh build."""
    try:
        manifest: dict[str, str] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return build(folder)
    wanted = _wanted()
    if manifest != {name: hashed for name, (hashed, _p) in wanted.items()} or not all(
        (folder / hashed).exists() for hashed in manifest.values()
    ):
        return build(folder)
    return manifest


def _security_headers(headers: object, _path: str, _url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"  # type: ignore[index]
    headers["Cross-Origin-Resource-Policy"] = "same-origin"  # type: ignore[index]


class Assets(WhiteNoise):
    # What an immutable file's Cache-Control promises: a year (WhiteNoise's own is ten).
    FOREVER = ONE_YEAR


def init_app(app: Flask) -> None:
    folder = Path(app.config["ASSETS_DIR"])
    manifest = current_manifest(folder)
    app.config["PLOTLY_FULL_BUNDLE"] = plotly_js() == PLOTLY_FULL  # `flask check` warns

    def asset_url(name: str) -> str:
        return PREFIX + manifest[name]

    app.jinja_env.globals["asset_url"] = asset_url
    app.wsgi_app = Assets(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(folder),
        prefix=PREFIX,
        max_age=ONE_YEAR,
        allow_all_origins=False,
        immutable_file_test=lambda _path, url: url.rsplit("/", 1)[-1] != MANIFEST,
        add_headers_function=_security_headers,
    )
    # The manifest is the build's index, not an asset.
    app.wsgi_app.files.pop(PREFIX + MANIFEST, None)
