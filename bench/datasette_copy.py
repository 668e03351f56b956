"""Datasette beside the project in `make bench`: the same published people, in SQLite, served by Datasette 0.65.

Issue #16 compares first visits with Datasette serving a SQLite copy of the same archive. This module makes that
comparison part of the benchmark's own run rather than a figure copied from elsewhere:

- Datasette lives in its own virtualenv, bench/.venv-datasette (installed from PyPI on first use; it is a
  benchmark tool, not a dependency of the project, so it is not in requirements.txt);
- bench/.datasette/tracker.db is a SQLite copy of the published people and their detentions, with an index on
  the columns the lists filter by and a full-text index on the names (what anyone publishing the table with
  Datasette would add); it is rebuilt when the people in PostgreSQL change;
- `datasette serve` (defaults, but a 10 s SQL time limit so that every request is answered in full) and the
  URLs of each kind, for the same people, the same filters and pages and the same surnames as the project's.
"""

import http.client
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv-datasette"
DB = BENCH / ".datasette" / "tracker.db"
VERSION = "datasette==0.65.*"
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_DATASETTE_PORT", "8793"))

PEOPLE_COLUMNS = ["id", "name", "slug", "name_original", "aliases", "citizenships", "born_on", "born_on_precision",
                  "description", "wikidata_id", "status", "held_by", "latest_detained_on", "created_at",
                  "updated_at"]  # fmt: skip
DETENTION_COLUMNS = ["id", "detainee_id", "held_by", "detained_on", "detained_on_precision", "place", "circumstances",
                     "released_on", "released_on_precision", "end_reason", "last_confirmed_on", "created_at",
                     "updated_at"]  # fmt: skip


def install() -> Path:
    """The datasette executable, installing it into its own virtualenv on first use."""
    exe = VENV / "bin" / "datasette"
    if not exe.exists():
        print(f"Installing {VERSION} into {VENV.relative_to(BENCH.parent)} (once) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "python"), "-m", "ensurepip", "--upgrade", "--default-pip"],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", VERSION], check=True)
    return exe


def _plain(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def build_copy() -> Path:
    """Copy the published people and their detentions from PostgreSQL into SQLite, unless the copy is current."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id), max(updated_at) FROM detainees_detainee WHERE is_published")
        mark = repr(cursor.fetchone())
    marker = DB.with_suffix(".mark")
    if DB.exists() and marker.exists() and marker.read_text() == mark:
        return DB
    print("Copying the published people into SQLite for Datasette (once per dataset) …", flush=True)
    DB.parent.mkdir(exist_ok=True)
    tmp = DB.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    lite = sqlite3.connect(tmp)
    lite.executescript(
        f"""
        CREATE TABLE detainees ({", ".join(c + (" INTEGER PRIMARY KEY" if c == "id" else "") for c in PEOPLE_COLUMNS)});
        CREATE TABLE detentions ({", ".join(
            "id INTEGER PRIMARY KEY" if c == "id" else
            "detainee_id INTEGER REFERENCES detainees(id)" if c == "detainee_id" else c
            for c in DETENTION_COLUMNS)});
        """
    )  # fmt: skip
    with connection.cursor() as cursor:
        for table, source, columns, where in [
            ("detainees", "detainees_detainee", PEOPLE_COLUMNS, "is_published"),
            ("detentions", "detainees_detention", DETENTION_COLUMNS,
             "detainee_id IN (SELECT id FROM detainees_detainee WHERE is_published)"),
        ]:  # fmt: skip
            cursor.execute(f"SELECT {', '.join(columns)} FROM {source} WHERE {where} ORDER BY id")
            while rows := cursor.fetchmany(5000):
                lite.executemany(
                    f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})",
                    [tuple(_plain(v) for v in row) for row in rows],
                )
    lite.executescript(
        """
        CREATE INDEX detainees_status ON detainees (status);
        CREATE INDEX detainees_held_by ON detainees (held_by);
        CREATE INDEX detentions_detainee ON detentions (detainee_id);
        CREATE VIRTUAL TABLE detainees_fts USING fts5 (name, name_original, aliases, content="detainees",
                                                      content_rowid="id");
        INSERT INTO detainees_fts (rowid, name, name_original, aliases)
            SELECT id, name, name_original, aliases FROM detainees;
        ANALYZE;
        """
    )
    lite.commit()
    lite.close()
    tmp.replace(DB)
    marker.write_text(mark)
    return DB


_LITE = None


def visit_url(kind: str, spec) -> str:
    """Datasette's fastest equivalent of one of the project's first visits (over the same people, filters, pages and
    names): the row page (HTML or JSON), a page by key over an indexed column, FTS5 for names.

    Datasette pages by key, not by number, so page p of a list is `_next=<id of the last row of page p-1>` (its
    order is by id; the project's is by name), found here beforehand. The list page asks for the same two facets
    the project's shows first (status, held by), 100 rows as the project's."""
    global _LITE
    _LITE = _LITE or sqlite3.connect(DB)

    def after(where: str, params: tuple, page: int, size: int) -> str:
        if page == 1:
            return ""
        row = _LITE.execute(f"SELECT id FROM detainees WHERE {where} ORDER BY id LIMIT 1 OFFSET ?",
                            (*params, size * (page - 1) - 1)).fetchone()  # fmt: skip
        return f"&_next={row[0]}" if row else ""

    if kind == "/healthz":
        return "/-/versions.json"
    if kind == "API detail":
        return f"/tracker/detainees/{spec}.json"
    if kind == "case page":
        return f"/tracker/detainees/{spec}"
    if kind == "API list of 50, filtered":
        pair, page = spec
        field, value = pair.split("=", 1)
        return f"/tracker/detainees.json?_size=50&{pair}{after(f'{field} = ?', (value,), page, 50)}"
    if kind == "list page with facets":
        return f"/tracker/detainees?_facet=status&_facet=held_by&_size=100{after('1', (), spec, 100)}"
    if kind == "API name search":
        return f"/tracker/detainees.json?_search={spec}"
    raise ValueError(kind)


def start() -> subprocess.Popen:
    exe = install()
    server = subprocess.Popen(
        [str(exe), "serve", str(DB), "--host", HOST, "--port", str(PORT), "--setting", "sql_time_limit_ms", "10000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/-/versions.json")
            response = conn.getresponse()
            if response.status == 200:
                version = json.loads(response.read())["datasette"]["version"]
                print(f"  Datasette {version} on {HOST}:{PORT}", flush=True)
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("Datasette did not start")
