"""OpenRefine itself (Debian's `openrefine` 3.6) reconciles a spreadsheet of names against the tracker and pulls a
column from it by data extension, driven through OpenRefine's own HTTP API, headless on loopback.

Skipped when OpenRefine is not installed, unless OPENREFINE_REQUIRED=1 (CI sets it: then it must run)."""

import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
import requests

from tests.factories import DetaineeFactory, DetentionFactory
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
REFINE = "/usr/share/openrefine/refine"


@pytest.fixture(scope="module")
def openrefine():
    if not os.path.exists(REFINE):
        if os.environ.get("OPENREFINE_REQUIRED"):
            pytest.fail("OPENREFINE_REQUIRED=1 but OpenRefine is not installed (apt-get install openrefine)")
        pytest.skip("OpenRefine is not installed (apt-get install openrefine); set OPENREFINE_REQUIRED=1 to require it")
    port, workspace = free_port(), tempfile.mkdtemp(prefix="openrefine-")
    log = open(os.path.join(workspace, "refine.log"), "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [REFINE, "-i", "127.0.0.1", "-p", str(port), "-d", workspace, "-m", "600M", "-x", "refine.headless=true"],
        cwd=os.path.dirname(REFINE), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/command/core/get-version", timeout=5).ok:
                    break
            except requests.RequestException:  # not listening yet, or still starting up
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("OpenRefine did not start: " + open(log.name, errors="replace").read()[-2000:])
            time.sleep(0.5)
        yield Refine(base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(workspace, ignore_errors=True)


class Refine:
    """The few commands of OpenRefine's HTTP API that its web page calls to reconcile and extend a column."""

    ENGINE = json.dumps({"facets": [], "mode": "row-based"})

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()

    def token(self) -> str:
        return self.http.get(f"{self.base}/command/core/get-csrf-token", timeout=10).json()["token"]

    def create_project(self, name: str, csv_text: str) -> str:
        options = {"separator": ",", "headerLines": 1, "ignoreLines": -1, "skipDataLines": 0, "limit": -1,
                   "guessCellValueTypes": False, "processQuotes": True, "storeBlankCellsAsNulls": True,
                   "encoding": "UTF-8", "projectName": name}  # fmt: skip
        response = self.http.post(
            f"{self.base}/command/core/create-project-from-upload",
            params={"csrf_token": self.token()},
            files={"project-file": ("names.csv", csv_text.encode(), "text/csv")},
            data={"project-name": name, "format": "text/line-based/*sv", "options": json.dumps(options)},
            allow_redirects=False, timeout=60,
        )  # fmt: skip
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"].split("project=")[1]

    def run(self, command: str, project: str, data: dict) -> None:
        """A long-running operation: start it, then wait until the project has no process left."""
        response = self.http.post(f"{self.base}/command/core/{command}",
                                  params={"project": project, "csrf_token": self.token()},
                                  data={"engine": self.ENGINE, **data}, timeout=60)  # fmt: skip
        assert response.ok and response.json().get("code") != "error", response.text[:1000]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            processes = self.http.get(f"{self.base}/command/core/get-processes", params={"project": project},
                                      timeout=10).json()["processes"]  # fmt: skip
            if not processes:
                return
            time.sleep(0.5)
        pytest.fail(f"OpenRefine's {command} did not finish")

    def table(self, project: str) -> list[dict]:
        """Rows as {column name: cell}, cells as OpenRefine stores them (value `v`, reconciliation `r`)."""
        models = self.http.get(f"{self.base}/command/core/get-models", params={"project": project}, timeout=10).json()
        columns = [(c["name"], c["cellIndex"]) for c in models["columnModel"]["columns"]]
        answer = self.http.post(f"{self.base}/command/core/get-rows",
                                params={"project": project, "start": 0, "limit": 100},
                                data={"engine": self.ENGINE}, timeout=10).json()  # fmt: skip
        recons = answer.get("pool", {}).get("recons", {})  # cells name their reconciliation by id, from this pool
        table = []
        for row in answer["rows"]:
            cells = [dict(c, r=recons.get(str(c["r"]), c["r"])) if c and "r" in c else c for c in row["cells"]]
            table.append({name: cells[i] if i < len(cells) else None for name, i in columns})
        return table


def test_openrefine_reconciles_a_spreadsheet_and_pulls_a_column(openrefine, live_server):
    evan = DetaineeFactory(name="Evan Gershkovich", name_original="Эван Гершкович", citizenships=["US"])
    DetentionFactory(detainee=evan, held_by="RU", released_on=None)
    whelan = DetaineeFactory(name="Paul Whelan", citizenships=["US", "GB", "IE", "CA"])
    DetaineeFactory(name="Secret Draftperson", is_published=False)
    service = f"{live_server.url}/api/reconcile/"
    manifest = requests.get(service, timeout=10).json()

    project = openrefine.create_project(
        "tracker names", "name,source\nEvan Gershkovitch,court list\nPaul Nicholas Whelan,NGO list\n"
        "Гершкович Эван,newsroom\nSecret Draftperson,leak\nNobody Atall,typo\n",
    )  # fmt: skip
    openrefine.run("reconcile", project, {"columnName": "name", "config": json.dumps({
        "mode": "standard-service", "service": service, "identifierSpace": manifest["identifierSpace"],
        "schemaSpace": manifest["schemaSpace"], "type": {"id": "detainee", "name": "Detainee"}, "autoMatch": True,
        "columnDetails": [], "limit": 0,
    })})  # fmt: skip
    rows = openrefine.table(project)
    matched = {row["name"]["v"]: (row["name"].get("r") or {}).get("m") for row in rows}
    assert matched["Evan Gershkovitch"]["id"] == str(evan.pk)
    assert matched["Гершкович Эван"]["id"] == str(evan.pk)
    assert matched["Paul Nicholas Whelan"]["id"] == str(whelan.pk)
    assert matched["Secret Draftperson"] is None  # a draft never matches for an anonymous caller
    assert matched["Nobody Atall"] is None
    judgments = {row["name"]["v"]: row["name"]["r"]["j"] for row in rows}
    assert judgments["Evan Gershkovitch"] == "matched" and judgments["Nobody Atall"] == "none"

    openrefine.run("extend-data", project, {
        "baseColumnName": "name", "columnInsertIndex": 1, "endpoint": service,
        "identifierSpace": manifest["identifierSpace"], "schemaSpace": manifest["schemaSpace"],
        "extension": json.dumps({"properties": [{"id": "held_by", "name": "Held by"},
                                                {"id": "url", "name": "Page URL"}]}),
    })  # fmt: skip
    rows = openrefine.table(project)
    held = {row["name"]["v"]: (row.get("Held by") or {}).get("v") for row in rows}
    assert held["Evan Gershkovitch"] == "Russia" and held["Гершкович Эван"] == "Russia"
    assert not held["Paul Nicholas Whelan"]  # not held now: the cell stays empty
    urls = {row["name"]["v"]: (row.get("Page URL") or {}).get("v") for row in rows}
    assert urls["Paul Nicholas Whelan"] == f"{live_server.url}/detainees/{whelan.slug}/"
