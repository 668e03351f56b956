"""The database marks public records that may have changed: one trigger per table a public record is made of.

As `casedocs.triggers` does for stored case documents, and for the same reason: every write path (the admin, the
API, imports, merges, `QuerySet.update()`, `bulk_create()`, raw SQL) goes through the database, so the marks are
written there, in the same transaction as the write. For each changed row (its new and its old values) a trigger
appends to `changes_mark`:

- the row itself, when its table is one of the 15 API lists (`RESOURCES`);
- every record whose anonymous representation embeds it (`EMBEDDED_IN`: a charge is shown inside its detainee, a
  sentence change inside its sentence and its detainee, a participant inside its exchange, a link row of a
  many-to-many field inside the record that owns the field: a detention's sources, a statement's people);
- for a detainee or an exchange whose visibility moved (published, unpublished, created, deleted): the record
  written `+detainees` / `+exchanges`, which the publisher expands to everything shown or hidden with it.

A shared record (a source, an outlet, a group, an official) appears in other records by id only, so an edit marks
the record itself; deleting one clears or deletes the rows pointing at it, whose own triggers mark them. Writers only
ever insert marks; the publisher (`changes.publisher`) consumes them.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

MARKS = "changes_mark"
VISIBILITY = "is_published"
CASE_APPS = ("detainees", "exchanges", "sources")

# label: the API list (config/api_urls.py) it is served under
RESOURCES = {
    "detainees.Detainee": "detainees", "detainees.Detention": "detentions", "detainees.Designation": "designations",
    "detainees.Charge": "charges", "detainees.Sentence": "sentences", "detainees.SentenceChange": "sentence-changes",
    "detainees.Transfer": "transfers", "detainees.Group": "groups", "exchanges.Exchange": "exchanges",
    "exchanges.ExchangeParticipant": "exchange-participants", "sources.Outlet": "outlets", "sources.Source": "sources",
    "sources.Statement": "statements", "sources.Official": "officials", "sources.Claim": "claims",
}  # fmt: skip
# label: [(its column, the label of the record that shows it nested)]
EMBEDDED_IN = {
    "detainees.Detention": [("detainee_id", "detainees.Detainee")],
    "detainees.Designation": [("detainee_id", "detainees.Detainee")],
    "detainees.Charge": [("detention_id", "detainees.Detention")],
    "detainees.Sentence": [("detention_id", "detainees.Detention")],
    "detainees.Transfer": [("detention_id", "detainees.Detention")],
    # h31: shown only nested in their detention (no API list of their own yet).
    "detainees.Counsel": [("detention_id", "detainees.Detention")],
    "detainees.CustodyExtension": [("detention_id", "detainees.Detention")],
    "detainees.SentenceChange": [("sentence_id", "detainees.Sentence")],
    "exchanges.ExchangeParticipant": [("exchange_id", "exchanges.Exchange")],
    "exchanges.ExchangeCount": [("exchange_id", "exchanges.Exchange")],
}
# Records whose visibility decides others' (the publisher expands their `+` marks).
GATES = ("detainees.Detainee", "exchanges.Exchange")
# Tables of the case apps that show nowhere in the API's JSON documents, with the reason.
# (History tables are left out: the change history is no API list and no API representation shows it.)
SHOWN_NOWHERE = {
    # Redirect records of merged ids: the removed record's own delete is its event; the list of merges travels in
    # the dump (`dataset.merges`) and the CSV's `merged_ids` column, not in any JSON document.
    "detainees.MergedDetainee",
    # The list's facet values and counts (detainees.facets): derived by triggers from records marked here.
    "detainees.PersonFacet",
    "detainees.FacetCount",
}


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def graph() -> dict[str, tuple[str | None, list[tuple[str, str]]]]:
    """table: (its resource or None, [(column, table of the record showing it)]), link tables included."""
    out = {}
    for app in CASE_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            label = model._meta.label
            if label in SHOWN_NOWHERE:
                continue
            out[model._meta.db_table] = (RESOURCES.get(label), [(c, _table(p)) for c, p in EMBEDDED_IN.get(label, [])])
            for field in model._meta.local_many_to_many:  # a link row is shown inside the record owning the field
                through = field.remote_field.through._meta
                out[through.db_table] = (None, [(field.m2m_column_name(), model._meta.db_table)])
    for table, (resource, up) in out.items():
        if resource is None and not up:
            raise LookupError(f"{table}: which public record shows it? Add it to changes.triggers EMBEDDED_IN.")
    return out


def orderings() -> dict[str, list[tuple[str, str, str, str]]]:
    """table: [(link table, its column for this table, its column for the owner, the owner's table)] for every
    many-to-many list that shows this table's ids in this table's own order (sources newest first, people by name,
    exchanges by date): an edit of the row may reorder the owners' lists."""
    out: dict[str, list] = {}
    for app in CASE_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through._meta.db_table
                target = field.related_model._meta.db_table
                out.setdefault(target, []).append((through, field.m2m_reverse_name(), field.m2m_column_name(),
                                                   model._meta.db_table))  # fmt: skip
    return out


def marks_sql(table: str, row: str) -> list[str]:
    """SELECTs of (resource, id) for the records a row of `table` (read as `row`.column) shows in."""
    tables = graph()
    resource, up = tables[table]
    parts = [f"SELECT '{resource}', {row}.id"] if resource else []

    def climb(parent: str, ids: str) -> None:  # `ids`: a SELECT of the parent's ids
        parent_resource, parent_up = tables[parent]
        if parent_resource:
            parts.append(f"SELECT '{parent_resource}', id FROM {parent} WHERE id IN ({ids})")
        for column, grandparent in parent_up:
            climb(grandparent, f"SELECT {column} FROM {parent} WHERE id IN ({ids})")

    for column, parent in up:
        parent_resource, parent_up = tables[parent]
        if parent_resource:  # the parent's id is on the row: no need to read the parent (it may be gone)
            parts.append(f"SELECT '{parent_resource}', {row}.{column} WHERE {row}.{column} IS NOT NULL")
        for grand_column, grandparent in parent_up:
            climb(grandparent, f"SELECT {grand_column} FROM {parent} WHERE id = {row}.{column}")
    if resource:
        for link, mine, owner_column, owner in orderings().get(table, []):
            climb(owner, f"SELECT {owner_column} FROM {link} WHERE {mine} = {row}.id")
    return parts


def _insert(parts: list[str]) -> str:
    return f"INSERT INTO {MARKS} (resource, object_id) " + " UNION ALL ".join(parts)


def statements(vendor: str) -> list[str]:
    """The DDL that (re)creates every trigger, for PostgreSQL or SQLite."""
    out = []
    gates = {_table(label): RESOURCES[label] for label in GATES}
    for table in sorted(graph()):
        new, old = marks_sql(table, "NEW"), marks_sql(table, "OLD")
        name = f"changes_{table}"[:60]
        gate = gates.get(table)
        if gate:  # created, deleted or shown/hidden: everything inside it too
            new_in, old_out = [f"SELECT '+{gate}', NEW.id"], [f"SELECT '+{gate}', OLD.id"]
            shown = _insert(new_in)
        else:
            new_in, old_out = new, old
        if vendor == "postgresql":
            moved = (f"IF NEW.{VISIBILITY} IS DISTINCT FROM OLD.{VISIBILITY} THEN {shown}; "
                     "END IF; ") if gate else ""  # fmt: skip
            out += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP = 'INSERT' THEN {_insert(new_in)}; "
                f"ELSIF TG_OP = 'UPDATE' THEN {_insert(new + old)}; {moved}"
                f"ELSE {_insert(old_out)}; END IF; RETURN NULL; END $$",
                f'DROP TRIGGER IF EXISTS changes_mark ON "{table}"',
                f'CREATE TRIGGER changes_mark AFTER INSERT OR UPDATE OR DELETE ON "{table}" FOR EACH ROW '
                f"EXECUTE FUNCTION {name}()",
            ]
        else:
            events = [("INSERT", "INSERT", "", new_in), ("UPDATE", "UPDATE", "", new + old),
                      ("DELETE", "DELETE", "", old_out)]  # fmt: skip
            if gate:
                moved = f" WHEN NEW.{VISIBILITY} IS NOT OLD.{VISIBILITY}"
                events.append(("VISIBILITY", f"UPDATE OF {VISIBILITY}", moved, new_in))
            for event, when, condition, parts in events:
                trigger = f"{name}_{event.lower()}"
                out.append(f"DROP TRIGGER IF EXISTS {trigger}")
                out.append(f'CREATE TRIGGER {trigger} AFTER {when} ON "{table}" FOR EACH ROW{condition} '
                           f"BEGIN {_insert(parts)}; END")  # fmt: skip
    return out


def install(using: str = DEFAULT_DB_ALIAS) -> int:
    """(Re)create every trigger; returns how many tables have one. Run after every migration (SQLite drops a
    table's triggers when a migration rebuilds the table)."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(connection.vendor)
    tables = set(connection.introspection.table_names())
    if MARKS not in tables:
        return 0  # migrating a new database: the migration that creates the marks installs them
    if not set(graph()) <= tables:
        return 0  # an earlier migration, before a case table added later exists: installed after the last one
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor):
            cursor.execute(sql)
    return len(graph())


def drop(using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in sorted(graph()):
            name = f"changes_{table}"[:60]
            if connection.vendor == "postgresql" and table in existing:
                cursor.execute(f'DROP TRIGGER IF EXISTS changes_mark ON "{table}"')
            elif connection.vendor == "sqlite":
                for event in ("insert", "update", "delete", "visibility"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


def install_for_migration(apps, schema_editor):
    install(schema_editor.connection.alias)


def drop_for_migration(apps, schema_editor):
    drop(schema_editor.connection.alias)


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    install(using)
