"""Static files from any WSGI server (WhiteNoise), under content-hashed names.

`url_for('static', filename='css/app.css')` gives `/static/css/app.3f2a9c1b7d4e.css`: the
name changes whenever the file does, so that URL is cached for a year (`immutable`) and a
deploy still reaches every browser at once. The plain names keep working (an ES module's
`import './save-core.js'`, the fonts a stylesheet names) with `max-age=0`, so browsers
revalidate them (a 304 when unchanged). In debug mode files are read afresh on every
request and not hashed, so an edit shows on reload.

Static responses never reach Flask, so the security headers Talisman puts on pages are
added here too (`headers.static_headers`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

from .headers import static_headers

HASH_LENGTH = 12


def hashed_names(root: Path) -> dict[str, str]:
    """Every file under `root` (as a URL path relative to it) -> the same with a hash of its
    content before the extension: css/app.css -> css/app.3f2a9c1b7d4e.css."""
    names = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(root).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
        stem, dot, suffix = relative.rpartition(".")
        names[relative] = f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else (
            f"{relative}.{digest}")
    return names


def init_app(app: Flask) -> None:
    """Serve static/ through WhiteNoise in front of the app; url_for gives hashed names."""
    root = Path(app.config["STATIC_DIR"])
    prefix = app.static_url_path.rstrip("/") + "/"
    extra = static_headers(app)

    def add_headers(headers, _path, _url) -> None:
        for name, value in extra.items():
            headers[name] = value

    if app.debug:
        app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(root), prefix=prefix, autorefresh=True,
                                  max_age=0, allow_all_origins=False,
                                  add_headers_function=add_headers)
        return
    names = hashed_names(root)
    immutable = {prefix + hashed for hashed in names.values()}
    static = WhiteNoise(app.wsgi_app, root=str(root), prefix=prefix, max_age=0,
                        allow_all_origins=False, add_headers_function=add_headers,
                        immutable_file_test=lambda _path, url: url in immutable)
    for plain, hashed in names.items():
        static.add_file_to_dictionary(prefix + hashed, str(root / plain))
    app.wsgi_app = static

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]
