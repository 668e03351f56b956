"""`xdist_group` kept under pytest 9.2 (a plugin the test processes load: tests/conftest.py, `pytest_configure`).

`--dist loadgroup` deals tests by their id: pytest-xdist's worker appends `@<group>` to the id of every test marked
`xdist_group(...)`, and its scheduler keeps the tests whose ids end in the same `@<group>` in one process. pytest-xdist
3.8 appends it by setting `item._nodeid`; pytest 9.2 builds `item.nodeid` from `item._id` (a `NodeId`) and no longer
reads `_nodeid`, so no id got its suffix and every marked test was dealt like any other, to any process
(pytest-dev/pytest-xdist#1386, open). After xdist's own hook, this sets the suffixed id where it did not take; where
it did (an older pytest, or a fixed xdist) it finds the suffix there and leaves the id alone.
"""

from __future__ import annotations

import pytest


def group_suffix(item) -> str:
    """`@<group>` as pytest-xdist writes it (the names of every `xdist_group` mark, sorted, joined by `_`), or ''."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return f"@{'_'.join(sorted(names))}" if names else ""


@pytest.hookimpl(trylast=True)  # after pytest-xdist's worker hook, which tries the same by `_nodeid`
def pytest_collection_modifyitems(config, items):
    if not getattr(config.option, "loadgroup", False):  # xdist sets it for `--dist loadgroup`
        return
    from _pytest.nodeid import NodeId

    for item in items:
        suffix = group_suffix(item)
        if suffix and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
