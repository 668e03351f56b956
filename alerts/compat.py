"""A shim for django-tasks 0.9.0 on Python < 3.11.9 / 3.12 (this machine runs 3.11.7).

django-tasks builds results as `TaskResult[T](...)`; typing then sets `__orig_class__` on the instance and expects
a frozen dataclass to refuse with an AttributeError. A frozen dataclass made with `slots=True` and subclassed
(the database backend's TaskResult) refuses with a TypeError instead on these Pythons (CPython gh-90562), so every
enqueue fails. Refusing with FrozenInstanceError, as later Pythons do, is all it takes; django-tasks itself writes
fields with `object.__setattr__`, which this does not touch.
"""

import dataclasses
import sys


def _refuse(self, name, value):
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def patch_frozen_task_results() -> None:
    if sys.version_info >= (3, 12):
        return
    from django_tasks import base
    from django_tasks.backends.database import backend

    for cls in (base.TaskResult, backend.TaskResult):
        cls.__setattr__ = _refuse
