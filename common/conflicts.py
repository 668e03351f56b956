"""A write that loses a deadlock or a serialization failure to another is tried again; only when it loses every
time is it answered, and then truthfully: 503 with `Retry-After`, "the write conflicted with another", never "the
database is unavailable".

PostgreSQL ends one of two transactions that wait for each other (a deadlock) or, at SERIALIZABLE, one whose
reads another changed (a serialization failure), and says the transaction may simply be run again. The request's
transaction is the unit: `CheckedWritesMiddleware` runs each write request in one `checked_writes()` block, and
`retry_conflicts()` runs that block again, from the request's start, up to RETRIES more times.
"""

import io
import logging
import random
import time

from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)

RETRIES = 2
# deadlock_detected, serialization_failure (PostgreSQL's SQLSTATE codes: "the transaction may be retried")
CONFLICT_CODES = {"40P01", "40001"}
MESSAGE = "The write conflicted with another made at the same time and was not saved; retry it."


def is_write_conflict(error: BaseException) -> bool:
    """Whether `error` ended the transaction because another one wanted the same rows (and a retry may succeed)."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    code = getattr(cause, "pgcode", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    return code in CONFLICT_CODES or "database is locked" in str(error)  # SQLite's busy writer


def conflict_response(request):
    """503 with Retry-After and a message that says what happened (the write lost to another; nothing saved)."""
    from django.http import HttpResponse, JsonResponse

    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(f"<h1>Not saved</h1><p>{MESSAGE}</p>", status=503)
    response["Retry-After"] = "1"
    response.write_conflict = True
    return response


def _replayable(request) -> bytes | None:
    """The request's body, read into memory so the request can run again; None when it cannot (a file upload, a
    body larger than Django keeps in memory)."""
    if request.content_type == "multipart/form-data":
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None and length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None
    return request.body


def retry_conflicts(request, run):
    """`run(request)` (one transaction), again while it loses a write conflict, at most RETRIES more times."""
    body = _replayable(request)
    attempts = 1 + (RETRIES if body is not None else 0)
    for attempt in range(attempts):
        if attempt:
            request._stream = io.BytesIO(body)  # the body again, for the parsers that read the stream
            request._read_started = False
            time.sleep(random.uniform(0.005, 0.05) * attempt)  # the winner commits meanwhile
        try:
            response = run(request)
        except OperationalError as error:  # raised where no view turned it into a response: the commit, the checks
            if not is_write_conflict(error):
                raise
            response = conflict_response(request)
        if not getattr(response, "write_conflict", False):
            return response
        logger.warning("Write conflict on %s %s (attempt %d of %d)", request.method, request.path, attempt + 1,
                       attempts)  # fmt: skip
    return response
