"""The database marks stored case documents stale: one trigger per table a case is made of.

Every write path (the admin, the API, imports, merges, `QuerySet.update()`, `bulk_create()`, raw SQL) goes through
the database, so the rule "a stored document never outlives a change to what it shows" lives there, not in signals
that bulk writes skip. For each changed row the trigger finds the people whose case page or API document show it:

- UP: a record belongs to a person (a detention to its detainee, a charge to its detention…);
- HUBS: a shared record is shown on the cases that point at it (a source on every case citing it, an exchange on
  its participants' cases and on the cases of the people its statements are about, an outlet through its sources,
  a group, an official through their statements);
- MEMBERSHIPS: a person's visibility shows on the cases of everyone they share a statement or an exchange with
  (publishing or unpublishing them shows or hides those there), so a change of `is_published` marks those too;

and appends a row per person to `casedocs_casemark` (`CaseMark`), in the same transaction as the change. Writers
only ever insert marks: no write waits for a lock another write holds on a shared row because of the documents.
History tables (the public change log) are covered for edits and deletions; their inserts always come with a
covered write. A table of the case apps that is in neither map must be listed in EXEMPT with the reason, or
`install()` refuses.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

MARKS = "casedocs_casemark"
CENSUS_MARKS = "casedocs_censusmark"  # the same people, for the stored census (casedocs.census_store)
VISIBILITY = "is_published"  # of a person: decides what shows on the cases of those they share records with

# label: [(column, the label of the record it belongs to)]
UP = {
    "detainees.Detention": [("detainee_id", "detainees.Detainee")],
    "detainees.Designation": [("detainee_id", "detainees.Detainee")],
    "detainees.Charge": [("detention_id", "detainees.Detention")],
    "detainees.Sentence": [("detention_id", "detainees.Detention")],
    "detainees.Transfer": [("detention_id", "detainees.Detention")],
    "detainees.Counsel": [("detention_id", "detainees.Detention")],
    "detainees.CustodyExtension": [("detention_id", "detainees.Detention")],
    "detainees.SentenceChange": [("sentence_id", "detainees.Sentence")],
    "exchanges.ExchangeParticipant": [("detainee_id", "detainees.Detainee")],
    "exchanges.ExchangeCount": [("exchange_id", "exchanges.Exchange")],
    # A claim is about a detainee or a detention (or an exchange, whose page is not stored): `object_id` read as
    # either marks at worst one unrelated case stale too, which only costs a rebuild.
    "sources.Claim": [("object_id", "detainees.Detainee"), ("object_id", "detainees.Detention")],
}
# label: [(label of a record pointing at it, that record's column)]
HUBS = {
    "sources.Source": [("sources.Statement", "source_id")],  # and every `sources` link: added in `graph()`
    "sources.Outlet": [("sources.Source", "outlet_id"), ("sources.Source", "via_id")],
    "sources.Official": [("sources.Statement", "official_id")],
    "detainees.Group": [("detainees.Detainee", "held_by_group_id"), ("detainees.Detention", "held_by_group_id"),
                        ("exchanges.ExchangeParticipant", "released_by_group_id"),
                        ("exchanges.ExchangeParticipant", "received_by_group_id")],
    "exchanges.Exchange": [("exchanges.ExchangeParticipant", "exchange_id")],  # and statements about it: `graph()`
}  # fmt: skip
# A person's own row shows on other people's cases too: whether they are published decides whether a statement about
# them and others, or an exchange they took part in, shows there. label of a link: (its column for the person, its
# column for the record shared, that record's label); statements' people are added in `memberships()`.
MEMBERSHIPS = {"exchanges.ExchangeParticipant": ("detainee_id", "exchange_id", "exchanges.Exchange")}
EXEMPT: dict[str, str] = {
    # h9: a merged-away id's redirect shows on no stored document; the merge that writes it also saves the survivor.
    "detainees.MergedDetainee": "redirects of merged-away ids; no case document shows them",
    # h16: derived by their own triggers (detainees.facets) from records that are covered here.
    "detainees.PersonFacet": "the list's facet values per person, derived from covered records",
    "detainees.FacetCount": "the list's facet counts, derived from covered records",
}
ROOT = "detainees.Detainee"


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def graph() -> tuple[dict[str, list], dict[str, list]]:
    """UP and HUBS by table name, with the many-to-many link tables added from the models themselves."""
    up = {_table(k): [(c, _table(p)) for c, p in v] for k, v in UP.items()}
    hubs = {_table(k): [(_table(r), c) for r, c in v] for k, v in HUBS.items()}
    source = _table("sources.Source")
    for app in ("detainees", "exchanges", "sources"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through._meta
                own = field.m2m_column_name()  # the link's column for this model
                other = field.m2m_reverse_name()  # and for the other end
                if field.related_model._meta.db_table == source:
                    up[through.db_table] = [(own, model._meta.db_table)]
                    hubs[source].append((through.db_table, other))
                elif field.related_model._meta.db_table == _table(ROOT):  # a statement's people
                    up[through.db_table] = [(other, _table(ROOT))]
                    hubs.setdefault(model._meta.db_table, []).append((through.db_table, own))
                else:  # a sentence's charges, a statement's exchanges: belong to their owner
                    up[through.db_table] = [(own, model._meta.db_table)]
                    if field.related_model._meta.db_table == _table("exchanges.Exchange"):
                        # an exchange's visibility decides whether a statement about it shows on its people's cases
                        hubs[_table("exchanges.Exchange")].append((through.db_table, other))
    return up, hubs


def memberships() -> list[tuple[str, str, str, str]]:
    """(link table, its column for the person, its column for the shared record, the shared record's table) for
    everything a person takes part in with others: MEMBERSHIPS, and every many-to-many link to people."""
    found = [(_table(k), mine, theirs, _table(shared)) for k, (mine, theirs, shared) in MEMBERSHIPS.items()]
    for model in apps.get_models():
        if model._meta.app_label not in ("detainees", "exchanges", "sources"):
            continue
        for field in model._meta.local_many_to_many:
            if field.related_model._meta.label == ROOT:
                through = field.remote_field.through._meta.db_table
                found.append((through, field.m2m_reverse_name(), field.m2m_column_name(), model._meta.db_table))
    return found


def _where(table: str, key: str, values: str, up, hubs, root: str) -> list[str]:
    """SELECTs of the people whose documents show the rows of `table` with `key` IN (`values`)."""
    if table == root:
        return [values if key == "id" else f"SELECT id FROM {root} WHERE {key} IN ({values})"]
    parts = []
    for column, parent in up.get(table, []):
        ids = values if key == column else f"SELECT {column} FROM {table} WHERE {key} IN ({values})"
        parts += _where(parent, "id", ids, up, hubs, root)
    for referrer, column in hubs.get(table, []):
        ids = values if key == "id" else f"SELECT id FROM {table} WHERE {key} IN ({values})"
        parts += _where(referrer, column, ids, up, hubs, root)
    return parts


def people_sql(table: str, row: str) -> str:
    """The people a changed row of `table` shows on, the row's columns read as `row`.column (NEW or OLD)."""
    up, hubs = graph()
    root = _table(ROOT)
    parts = [f"SELECT {row}.id"] if table == root else []
    for column, parent in up.get(table, []):
        parts += _where(parent, "id", f"{row}.{column}", up, hubs, root)
    for referrer, column in hubs.get(table, []):
        parts += _where(referrer, column, f"{row}.id", up, hubs, root)
    if not parts:
        raise LookupError(table)
    return _union(parts)


def _union(parts: list[str]) -> str:
    """One SELECT of people from the parts, some of them a bare value (`NEW.detainee_id`)."""
    return " UNION ".join(p if p.startswith("SELECT ") else f"SELECT {p}" for p in parts)


def co_members_sql(row: str) -> str:
    """The people who share a statement or an exchange with the person `row` (whose visibility changed)."""
    up, hubs = graph()
    root = _table(ROOT)
    parts = []
    for link, mine, theirs, shared in memberships():
        parts += _where(shared, "id", f"SELECT {theirs} FROM {link} WHERE {mine} = {row}.id", up, hubs, root)
    return _union(parts)


def covered_tables() -> dict[str, tuple[str, bool]]:
    """table: (the table whose map it uses, whether inserts fire), for every table of the case apps not exempt.
    A history table uses its record's map (the same column names) and fires on edits and deletions only; so does a
    shared record's table (a source, an exchange…): a row just inserted is shown on no case yet."""
    up, hubs = graph()
    known = {t for t, edges in (up | hubs).items() if edges} | {_table(ROOT)}
    exempt = {_table(label) for label in EXEMPT}
    tables: dict[str, tuple[str, bool]] = {}
    for app in ("detainees", "exchanges", "sources"):
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            table = model._meta.db_table
            base = table.replace("_historical", "_", 1)
            if base in exempt:
                continue
            if base not in known:
                raise LookupError(f"{table}: which cases does a change to it show on? Add it to casedocs.triggers "
                                  "UP or HUBS, or to EXEMPT with the reason.")  # fmt: skip
            # A shared record only (no owner of its own): a new one is on no case yet, whatever points at it will
            # mark the case with its own insert (even one written first: foreign keys are checked at commit).
            shared_only = base in hubs and not up.get(base) and base != _table(ROOT)
            tables[table] = (base, table == base and not shared_only)
    return tables


def statements(vendor: str, census: bool = True) -> list[str]:
    """The DDL that (re)creates every trigger, for PostgreSQL or SQLite; with `census`, each also marks the people
    for the stored census."""

    def _mark(people: str) -> str:
        if census:
            return f"INSERT INTO {MARKS} (detainee_id) {people}; INSERT INTO {CENSUS_MARKS} (detainee_id) {people}"
        return f"INSERT INTO {MARKS} (detainee_id) {people}"

    out = []
    root = _table(ROOT)
    for table, (base, on_insert) in sorted(covered_tables().items()):
        new, old = people_sql(base, "NEW"), people_sql(base, "OLD")
        name = f"casedocs_{table}"[:60]
        if vendor == "postgresql":
            events = "INSERT OR UPDATE OR DELETE" if on_insert else "UPDATE OR DELETE"
            co = (f"IF NEW.{VISIBILITY} IS DISTINCT FROM OLD.{VISIBILITY} THEN {_mark(co_members_sql('NEW'))}; "
                  "END IF; ") if table == root else ""  # fmt: skip
            out += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP = 'INSERT' THEN {_mark(new)}; "
                f"ELSIF TG_OP = 'UPDATE' THEN {_mark(f'{new} UNION {old}')}; {co}"
                f"ELSE {_mark(old)}; END IF; RETURN NULL; END $$",
                f'DROP TRIGGER IF EXISTS casedocs_mark ON "{table}"',
                f'CREATE TRIGGER casedocs_mark AFTER {events} ON "{table}" FOR EACH ROW EXECUTE FUNCTION {name}()',
            ]
        else:
            events = [("INSERT", "", _mark(new)), ("UPDATE", "", _mark(f"{new} UNION {old}")),
                      ("DELETE", "", _mark(old)),
                      ("VISIBILITY", f"UPDATE OF {VISIBILITY}", _mark(co_members_sql("NEW")))]  # fmt: skip
            for event, when, body in events:
                trigger = f"{name}_{event.lower()}"
                out.append(f"DROP TRIGGER IF EXISTS {trigger}")
                if (event == "INSERT" and not on_insert) or (event == "VISIBILITY" and table != root):
                    continue
                condition = f" WHEN NEW.{VISIBILITY} IS NOT OLD.{VISIBILITY}" if when else ""
                out.append(f'CREATE TRIGGER {trigger} AFTER {when or event} ON "{table}" FOR EACH ROW{condition} '
                           f"BEGIN {body}; END")  # fmt: skip
    return out


def install(using: str = DEFAULT_DB_ALIAS, census: bool | None = None) -> int:
    """(Re)create every trigger; returns how many tables have one. Run after every migration (SQLite drops a
    table's triggers when a migration rebuilds the table). The census's marks are written once their table exists
    (`census` None: when it does)."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(connection.vendor)
    tables = connection.introspection.table_names()
    if MARKS not in tables:
        return 0  # migrating a new database: the migration that creates the marks installs them
    if not set(covered_tables()) <= set(tables):
        # An earlier migration of a new database, before a case table added later exists (h31's lawyers): the
        # triggers go in once every migration has run (`install_after_migrate`).
        return 0
    if census is None:
        census = CENSUS_MARKS in tables
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, census=census):
            cursor.execute(sql)
    return len(covered_tables())


def drop(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove every trigger (before the documents' table goes: a trigger naming a missing table fails every write)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in sorted(covered_tables()):
            if connection.vendor == "postgresql" and table in existing:
                cursor.execute(f'DROP TRIGGER IF EXISTS casedocs_mark ON "{table}"')
            elif connection.vendor == "sqlite":
                for event in ("insert", "update", "delete", "visibility"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {f'casedocs_{table}'[:60]}_{event}")


def install_for_migration(apps, schema_editor):
    """The migration's step: the tables of the case apps are at their latest when this runs (see its dependencies)."""
    install(schema_editor.connection.alias)


def drop_for_migration(apps, schema_editor):
    """Before a migration that rebuilds a case table on SQLite: every trigger naming the tables goes, the change
    feed's too (`changes.triggers`); both sets are installed again after the migrations (post_migrate)."""
    drop(schema_editor.connection.alias)
    from django.apps import apps as installed

    if installed.is_installed("changes"):
        from changes import triggers as feed

        feed.drop(schema_editor.connection.alias)
    from detainees import facets  # the list's facets (h16): their triggers name the case tables too

    facets.drop(schema_editor.connection.alias)


def install_without_census_for_migration(apps, schema_editor):
    """Back to triggers that do not name the census's marks, before their table goes."""
    install(schema_editor.connection.alias, census=False)


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    install(using)
