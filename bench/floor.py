"""The floors the HTTP benchmarks measure the app against: Flask under the same gunicorn
settings, with none of the app's logic.

    /floor/5k            a bare route rendering a 5 KB template
    /floor/page/<name>   a page's own HTML, captured from the app, from a logic-free template
    /floor/save/<id>     POST: one row updated the way an autosave updates one (BEGIN
                         IMMEDIATE, a version check, WAL, synchronous=FULL), JSON in and out

FLOOR_PAGES names the folder of templates (bench/pages.py writes it), FLOOR_DB the SQLite
file with the table `rows (id, version, value)`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request

FIVE_K = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/css/app.css"></head>
<body><header><nav><a href="/">Home</a> <a href="/learn/">Learn</a></nav></header>
<main><h1>{{ title }}</h1>
{% for n in items %}<section class="card"><h2>Section {{ n }}</h2>
<p>Customer relationships describe the types of relationships a company establishes with
specific customer segments, from personal assistance to automated services.</p></section>
{% endfor %}</main></body></html>
"""


def write_five_k(folder: Path) -> None:
    (folder / "five_k.html").write_text(FIVE_K, encoding="utf-8")


def write_page(folder: Path, name: str, html: str) -> None:
    """The page's HTML as a template with no logic at all."""
    (folder / f"{name}.html").write_text("{% raw %}" + html + "{% endraw %}", encoding="utf-8")


def make_rows(db_file: Path, count: int) -> None:
    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, version INTEGER "
                 "NOT NULL, value TEXT NOT NULL)")
    conn.executemany("INSERT INTO rows (id, version, value) VALUES (?, 1, '')",
                     [(n,) for n in range(1, count + 1)])
    conn.commit()
    conn.close()


def create_app() -> Flask:
    app = Flask(__name__, template_folder=os.environ["FLOOR_PAGES"])
    db_file = os.environ.get("FLOOR_DB", "")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(db_file, isolation_level=None,
                                                check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 15000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        return conn

    @app.get("/healthz")
    def healthz():
        return "ok"

    @app.get("/floor/5k")
    def five_k():
        return render_template("five_k.html", title="Floor", items=range(24))  # 5.3 KB

    @app.get("/floor/page/<name>")
    def page(name: str):
        return render_template(f"{name}.html")

    @app.post("/floor/save/<int:row>")
    def save(row: int):
        body = request.get_json(force=True, silent=True) or {}
        if not isinstance(body.get("version"), int):
            abort(400)
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute("SELECT version FROM rows WHERE id = ?", (row,)).fetchone()
            if found is None:
                conn.execute("ROLLBACK")
                abort(404)
            if found[0] != body["version"]:
                conn.execute("ROLLBACK")
                return jsonify(status="conflict", version=found[0]), 409
            conn.execute("UPDATE rows SET value = ?, version = version + 1 WHERE id = ?",
                         (str(body.get("value", "")), row))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return jsonify(status="saved", version=found[0] + 1)

    return app
