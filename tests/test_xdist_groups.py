"""Tests marked `xdist_group` run in one process under `--dist loadgroup` (tests/xdist_groups.py).

The cluster test (fixed ports) and the generated API client rely on it. On pytest 9.2 with pytest-xdist 3.8 the mark
was silently dropped; these tests fail there without tests/xdist_groups.py.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.xdist_groups import group_suffix

BASE = Path(__file__).resolve().parent.parent
GROUP = "xdist-group-check"


def _run_directory(tmp_path_factory) -> Path:
    """A directory shared by this run's processes only: xdist gives each worker `<run>/popen-gwN`."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.mark.xdist_group(GROUP)
@pytest.mark.parametrize("n", range(4))
def test_a_groups_tests_run_in_one_process(n, request, tmp_path_factory):
    """In this very run: under `--dist loadgroup` (`make check`, `make test`) each of the group's ids carries the
    suffix the scheduler deals by, and every one of the group's tests run so far ran in this process."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        if not getattr(request.config.option, "loadgroup", False):
            pytest.skip("only `--dist loadgroup` keeps a group in one process (make check and make test use it)")
        assert request.node.nodeid.endswith(f"@{GROUP}")
    records = _run_directory(tmp_path_factory) / GROUP
    records.mkdir(exist_ok=True)
    (records / f"{n}-{os.getpid()}").touch()
    assert {path.name.split("-")[1] for path in records.iterdir()} == {str(os.getpid())}


def test_the_suffix_is_the_one_xdist_writes():
    """pytest-xdist's own rule (`xdist/remote.py`): every group's name, sorted, joined by `_`; no mark, no suffix."""

    class Item:
        def __init__(self, *marks):
            self.marks = marks

        def iter_markers(self, name):
            return [mark for mark in self.marks if mark.name == name]

    assert group_suffix(Item()) == ""
    assert group_suffix(Item(pytest.mark.xdist_group("b").mark, pytest.mark.xdist_group(name="a").mark)) == "@a_b"
    assert group_suffix(Item(pytest.mark.xdist_group().mark, pytest.mark.slow.mark)) == "@default"


@pytest.mark.slow  # two more pytest processes (~3 s of CPU)
def test_loadgroup_keeps_a_group_in_one_worker_end_to_end(tmp_path):
    """A separate `pytest -n 2 --dist loadgroup` over eight tests of one group in two modules: one worker runs them
    all (without tests/xdist_groups.py, pytest 9.2 deals them to both)."""
    for module in ("a", "b"):
        (tmp_path / f"test_{module}.py").write_text(
            textwrap.dedent("""
                import os
                import pytest

                @pytest.mark.xdist_group("together")
                @pytest.mark.parametrize("n", range(4))
                def test_n(n):
                    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
            """)
        )
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:randomly", "-p", "no:cacheprovider",
         "-p", "tests.xdist_groups", "-n", "2", "--dist", "loadgroup", "-v", "-rA", str(tmp_path)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(BASE)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    passed = [line for line in run.stdout.splitlines() if " PASSED " in line and line.startswith("[gw")]
    assert len(passed) == 8, run.stdout
    assert all(line.rstrip().endswith("@together") for line in passed), run.stdout
    assert len({line.split("]")[0] for line in passed}) == 1, run.stdout
