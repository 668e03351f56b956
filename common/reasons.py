"""The reason for a change, recorded with every history row the change writes, whichever path it came by.

The admin puts the editor's reason on the record it saves (`obj._change_reason`). A write that saves several
records (an API body with nested rows, a service) sets one reason for all of them with `change_reason(text)`:
every history row written inside the block that has no reason of its own gets it (the client's reason wins over
the software's default words, such as "Published", which are set on the record itself).

The API takes a reason on every write (POST, PUT, PATCH, DELETE): the body field `change_reason` or the header
`X-Change-Reason`. When both are given, **the body field wins** (it belongs to this one write; a script may set the
header once for a whole session). History keeps at most `MAX_LENGTH` characters: a longer reason is a 400 naming
where it came from, and nothing is saved. A header carries Latin-1 text: send other text in the body field, as
UTF-8 bytes, or percent-encoded after `UTF-8''` (RFC 8187, e.g. `X-Change-Reason: UTF-8''%D0%9E...`).
"""

from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from urllib.parse import unquote

from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 100  # simple_history's `history_change_reason` column
HEADER = "X-Change-Reason"
FIELD = "change_reason"

_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("change_reason", default=None)


@contextmanager
def change_reason(reason: str | None):
    """Every history row written inside the block records `reason` (when given)."""
    token = _reason.set(reason or None)
    try:
        yield
    finally:
        _reason.reset(token)


def current() -> str | None:
    return _reason.get()


def fill_reason(sender, history_instance=None, **kwargs):
    """`pre_create_historical_record`: the block's reason on the row about to be written."""
    reason = _reason.get()
    if reason and history_instance is not None:
        history_instance.history_change_reason = reason


def connect() -> None:
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(fill_reason, dispatch_uid="common-change-reason")


class ReasonError(ValueError):
    """A reason that cannot be recorded; `field` is where it came from (the body field or the header)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def from_header(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw[:7].upper() == "UTF-8''":  # RFC 8187 ext-value
        try:
            raw = unquote(raw[7:], encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise ReasonError(HEADER, str(_("The percent-encoded change reason is not UTF-8."))) from None
    else:
        try:  # WSGI hands header bytes over as Latin-1; a client that sent UTF-8 bytes meant UTF-8
            raw = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return clean(raw, HEADER)


def clean(value, field: str) -> str | None:
    """The reason as recorded (whitespace folded to single spaces), None for none; `ReasonError` when it cannot be."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ReasonError(field, str(_("A change reason is text (a JSON string).")))
    value = re.sub(r"\s+", " ", value).strip()
    if "\x00" in value:
        raise ReasonError(field, str(_("A change reason cannot contain a NUL character.")))
    if len(value) > MAX_LENGTH:
        raise ReasonError(
            field,
            str(_("A change reason has at most %(max)d characters (this one has %(n)d).") % {"max": MAX_LENGTH,
                                                                                                "n": len(value)}),
        )  # fmt: skip
    return value or None
