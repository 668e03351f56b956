"""Merged records in the dataset export: which ids were folded into which (`detainees.MergedDetainee`).

A mirror or a citation holding an id that a merge removed looks it up here to find the record it became. The dump
carries the list under `"merged"`; the change feed and releases (which read the dump) can call
`public_merge_records()` for the same list.
"""

from detainees.models import MergedDetainee


def public_merge_records(using: str = "default") -> list[dict]:
    """Every public merge, oldest id first: `{"resource", "id", "merged_into", "merged_at"}`.

    Public: the removed record was published when merged and the survivor is published now (a draft's id never
    shows); a removed record restored since is on file again, so it is left out."""
    rows = MergedDetainee.objects.using(using).visible_to(None).current().order_by("merged_id")
    return [
        {"resource": "detainees", "id": merged_id, "merged_into": into_id,
         "merged_at": at.isoformat(timespec="seconds").replace("+00:00", "Z")}
        for merged_id, into_id, at in rows.values_list("merged_id", "into_id", "created_at")
    ]  # fmt: skip
