"""The list's facets kept by the database: each person's facet values (`PersonFacet`) and their published counts
(`FacetCount`), written by triggers in the transaction of every write that changes them.

Why triggers: the counts used to be recomputed after every write (the data version moves), each a full scan at
100,000 people (charge category 191 ms, held by 116 ms…), and `held_by=` probed every detention per person. As the
stored documents (`casedocs.triggers`) and the change feed (`changes.triggers`) do, the rule lives where every write
path (the admin, the API, imports, merges, `QuerySet.update()`, bulk inserts, raw SQL) passes: the database.

One SELECT (`fresh_sql`) says what a set of people show, from the records: their status and citizenships, every
country and group that ever held them, the categories they were charged with, their designations, whether custody
is on file, and (with none on file) who released them in a published, completed exchange. After a write the
triggers diff the stored rows of the people concerned against it: rows gone are deleted (and, if counted,
subtracted), rows new are inserted (and, if published, added). A write that changes no facet (a description, a
source) touches no count, so concurrent editors do not queue on the counters. The same SELECT over everyone is the
fresh computation the tests compare the stored rows and counts with.
"""

import hashlib
import time

from django.db import DEFAULT_DB_ALIAS, connections

FACETS = "detainees_personfacet"
COUNTS = "detainees_facetcount"
TRIGGER_PREFIX = "facets_"

# table: (the events it fires on, the columns whose update matters, the people a row concerns as a SELECT of ids
# over the row read as {row})
WATCHED = {
    "detainees_detainee": ("is_published", "status", "citizenships"),
    "detainees_detention": ("detainee_id", "held_by", "held_by_group_id"),
    "detainees_charge": ("detention_id", "category"),
    "detainees_designation": ("detainee_id", "kind"),
    "exchanges_exchangeparticipant": ("detainee_id", "exchange_id", "released_by"),
    "exchanges_exchange": ("is_published", "status"),
}
PEOPLE = {
    "detainees_detainee": "SELECT {row}.id",
    "detainees_detention": "SELECT {row}.detainee_id",
    "detainees_charge": "SELECT detainee_id FROM detainees_detention WHERE id = {row}.detention_id",
    "detainees_designation": "SELECT {row}.detainee_id",
    "exchanges_exchangeparticipant": "SELECT {row}.detainee_id",
    "exchanges_exchange": "SELECT detainee_id FROM exchanges_exchangeparticipant WHERE exchange_id = {row}.id",
}
# The same, set-wise, over a statement's transition table {rows} (PostgreSQL's statement-level triggers).
PEOPLE_OF_ROWS = {
    "detainees_detainee": "SELECT r.id FROM {rows} r",
    "detainees_detention": "SELECT r.detainee_id FROM {rows} r",
    "detainees_charge": "SELECT d.detainee_id FROM detainees_detention d WHERE d.id IN "
    "(SELECT r.detention_id FROM {rows} r)",
    "detainees_designation": "SELECT r.detainee_id FROM {rows} r",
    "exchanges_exchangeparticipant": "SELECT r.detainee_id FROM {rows} r",
    "exchanges_exchange": "SELECT x.detainee_id FROM exchanges_exchangeparticipant x WHERE x.exchange_id IN "
    "(SELECT r.id FROM {rows} r)",
}
# Rows of exchanges come and go with their participants' rows (deleting an exchange deletes them first).
NO_INSERT_DELETE = {"exchanges_exchange"}


def fresh_sql(vendor: str, ids: str, where: str = "p.id IN ({ids})") -> str:
    """(detainee_id, facet, value, published) for the people whose ids `ids` (a SELECT) gives, from the records;
    `where` says how a person's row `p` is picked (PostgreSQL's triggers: `p.id = ANY(people)`, an index probe)."""
    if vendor == "postgresql":
        citizenship = ("SELECT p.id, 'citizenship', c, p.is_published FROM detainees_detainee p, "
                       "unnest(string_to_array(p.citizenships, ',')) c WHERE p.id IN ({ids}) AND c <> ''")  # fmt: skip
    else:
        citizenship = ("SELECT p.id, 'citizenship', j.value, p.is_published FROM detainees_detainee p, "
                       "json_each('[\"' || replace(p.citizenships, ',', '\",\"') || '\"]') j "
                       "WHERE p.id IN ({ids}) AND p.citizenships <> ''")  # fmt: skip
    parts = [
        "SELECT p.id AS detainee_id, 'all' AS facet, '' AS value, p.is_published AS published "
        "FROM detainees_detainee p WHERE p.id IN ({ids})",
        "SELECT p.id, 'status', p.status, p.is_published FROM detainees_detainee p WHERE p.id IN ({ids})",
        citizenship,
        "SELECT p.id, 'custody', 'on_file', p.is_published FROM detainees_detainee p "
        "WHERE p.id IN ({ids}) AND EXISTS (SELECT 1 FROM detainees_detention d WHERE d.detainee_id = p.id)",
        "SELECT p.id, 'held_by', d.held_by, p.is_published FROM detainees_detainee p "
        "JOIN detainees_detention d ON d.detainee_id = p.id WHERE p.id IN ({ids}) AND d.held_by <> ''",
        "SELECT p.id, 'held_by_group', CAST(d.held_by_group_id AS VARCHAR(20)), p.is_published "
        "FROM detainees_detainee p JOIN detainees_detention d ON d.detainee_id = p.id "
        "WHERE p.id IN ({ids}) AND d.held_by_group_id IS NOT NULL",
        "SELECT p.id, 'charge_category', c.category, p.is_published FROM detainees_detainee p "
        "JOIN detainees_detention d ON d.detainee_id = p.id JOIN detainees_charge c ON c.detention_id = d.id "
        "WHERE p.id IN ({ids})",
        "SELECT p.id, 'designation', g.kind, p.is_published FROM detainees_detainee p "
        "JOIN detainees_designation g ON g.detainee_id = p.id WHERE p.id IN ({ids})",
        # what a count of custody leaves out: by whom the people with none on file were released
        "SELECT p.id, 'exchanged_by', x.released_by, p.is_published FROM detainees_detainee p "
        "JOIN exchanges_exchangeparticipant x ON x.detainee_id = p.id "
        "JOIN exchanges_exchange e ON e.id = x.exchange_id "
        "WHERE p.id IN ({ids}) AND e.is_published AND e.status = 'completed' AND x.released_by <> '' "
        "AND NOT EXISTS (SELECT 1 FROM detainees_detention d WHERE d.detainee_id = p.id)",
    ]
    return " UNION ".join(parts).replace("p.id IN ({ids})", where).replace("{ids}", ids)


def refresh_sql(vendor: str, ids: str, stamped: bool = True) -> list[str]:
    """The statements that bring the stored rows and counts of the people `ids` (a SELECT) up to date (`stamped`:
    and the counts' stamps, which the migrations before `0023_h50_facet_count_stamp` have not added yet)."""
    fresh = fresh_sql(vendor, ids)
    same = "f.detainee_id = s.detainee_id AND f.facet = s.facet AND f.value = s.value AND f.published = s.published"
    stale = f"s.detainee_id IN ({ids}) AND NOT EXISTS (SELECT 1 FROM ({fresh}) f WHERE {same})"
    set_stamp, column, value, take = (
        (", stamp = COALESCE(stamp, 0) + 1", ", stamp", ", 1", f", stamp = COALESCE({COUNTS}.stamp, 0) + 1")
        if stamped else ("", "", "", "")
    )  # fmt: skip
    return [
        f"UPDATE {COUNTS} SET n = n - (SELECT COUNT(*) FROM {FACETS} s WHERE {stale} AND s.published "
        f"AND s.facet = {COUNTS}.facet AND s.value = {COUNTS}.value){set_stamp} "
        f"WHERE (facet, value) IN (SELECT s.facet, s.value FROM {FACETS} s WHERE {stale} AND s.published)",
        f"DELETE FROM {FACETS} WHERE id IN (SELECT s.id FROM {FACETS} s WHERE {stale})",
        f"INSERT INTO {COUNTS} (facet, value, n{column}) SELECT f.facet, f.value, COUNT(*){value} FROM ({fresh}) f "
        f"WHERE f.published AND NOT EXISTS (SELECT 1 FROM {FACETS} s WHERE {same}) GROUP BY f.facet, f.value "
        f"ON CONFLICT (facet, value) DO UPDATE SET n = {COUNTS}.n + excluded.n{take}",
        f"INSERT INTO {FACETS} (detainee_id, facet, value, published) "
        f"SELECT f.detainee_id, f.facet, f.value, f.published FROM ({fresh}) f "
        f"WHERE NOT EXISTS (SELECT 1 FROM {FACETS} s WHERE {same})",
    ]


def postgres_body(ids: str, stamped: bool = True) -> str:
    """A PostgreSQL trigger function's body: the people as an array (index probes, not a join planned for any
    number), the fresh rows computed once, and one statement of data-modifying CTEs that deletes, flips and inserts
    only the rows that differ and moves only the counts they change (in (facet, value) order, so two writers lock
    counters in the same order). `ids` is a SELECT of the people concerned, over a statement's transition tables:
    one call per statement, whatever number of rows it writes (a bulk INSERT of 2,000 rows used to call a
    row-level trigger 2,000 times, each planning and running the whole body for one person)."""
    fresh = fresh_sql("postgresql", ids, where="p.id = ANY(people)")
    key = "f.detainee_id = s.detainee_id AND f.facet = s.facet AND f.value = s.value"
    # a count's stamp goes up by one each time a write touches it (counted from the row as the write finds it, after
    # any other writer's commit): whatever the transactions, no two states of a count have the same stamp
    column, value, take = (", stamp", ", 1", f", stamp = COALESCE({COUNTS}.stamp, 0) + 1") if stamped else ("", "", "")
    return (
        f"DECLARE people bigint[] := ARRAY(SELECT DISTINCT i FROM ({ids}) x (i) WHERE i IS NOT NULL ORDER BY i); "
        f"BEGIN IF cardinality(people) = 0 THEN RETURN NULL; END IF; "
        f"WITH fresh AS MATERIALIZED ({fresh}), "
        f"stored AS MATERIALIZED (SELECT id, detainee_id, facet, value, published FROM {FACETS} "
        f"WHERE detainee_id = ANY(people)), "
        f"gone AS (DELETE FROM {FACETS} WHERE id IN (SELECT s.id FROM stored s WHERE NOT EXISTS "
        f"(SELECT 1 FROM fresh f WHERE {key})) RETURNING facet, value, CASE WHEN published THEN -1 ELSE 0 END AS d, "
        f"published AS counted), "
        f"flipped AS (UPDATE {FACETS} t SET published = f.published FROM stored s JOIN fresh f ON {key} "
        f"WHERE t.id = s.id AND s.published <> f.published "
        f"RETURNING t.facet, t.value, CASE WHEN f.published THEN 1 ELSE -1 END AS d, true AS counted), "
        f"added AS (INSERT INTO {FACETS} (detainee_id, facet, value, published) "
        f"SELECT f.detainee_id, f.facet, f.value, f.published FROM fresh f "
        f"WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE {key}) "
        f"RETURNING facet, value, CASE WHEN published THEN 1 ELSE 0 END AS d, published AS counted), "
        # every value a published row moved under, even when the count ends where it was (two people swapping
        # values in one statement): its stamp is what tells a filtered list's cached facets they are stale
        f"delta AS (SELECT facet, value, SUM(d) AS n FROM (SELECT * FROM gone UNION ALL SELECT * FROM flipped "
        f"UNION ALL SELECT * FROM added) x GROUP BY facet, value HAVING bool_or(counted)) "
        f"INSERT INTO {COUNTS} (facet, value, n{column}) SELECT facet, value, n{value} FROM delta "
        f"ORDER BY facet, value "
        f"ON CONFLICT (facet, value) DO UPDATE SET n = {COUNTS}.n + excluded.n{take}; "
        f"RETURN NULL; END"
    )


def _moved(columns: tuple[str, ...], rows: str, other: str) -> str:
    """The rows of transition table `rows` whose watched values are not in `other` (an update's rows whose watched
    values moved, as they were after it or before it; a row whose id changed counts as moved too)."""
    picked = ", ".join(("id", *columns))
    return f"(SELECT {picked} FROM {rows} EXCEPT SELECT {picked} FROM {other})"


def statements(vendor: str, stamped: bool = True) -> list[str]:
    """The DDL that (re)creates every trigger, for PostgreSQL or SQLite.

    PostgreSQL: one trigger per table and event FOR EACH STATEMENT, over the statement's transition tables (the
    rows it inserted, deleted, or updated as they were before and after), so a write of many rows refreshes all
    their people in one set-wise pass. SQLite has no statement-level triggers: one per row, with a WHEN that skips
    an update moving no watched value (Django's save() writes every column)."""
    out = []
    for table, columns in WATCHED.items():
        name = f"{TRIGGER_PREFIX}{table}"[:60]
        if vendor == "postgresql":
            of = PEOPLE_OF_ROWS[table]
            moved_new = of.replace("{rows}", _moved(columns, "new_rows", "old_rows"))
            moved_old = of.replace("{rows}", _moved(columns, "old_rows", "new_rows"))
            events = {
                "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", f"{moved_new} UNION {moved_old}")
            }
            if table not in NO_INSERT_DELETE:
                events["insert"] = ("INSERT", "NEW TABLE AS new_rows", of.replace("{rows}", "new_rows"))
                events["delete"] = ("DELETE", "OLD TABLE AS old_rows", of.replace("{rows}", "old_rows"))
            for event, (when, transition, ids) in events.items():
                out += [
                    f"CREATE OR REPLACE FUNCTION {name}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"{postgres_body(ids, stamped)} $$",
                    f'DROP TRIGGER IF EXISTS {name}_{event} ON "{table}"',
                    f'CREATE TRIGGER {name}_{event} AFTER {when} ON "{table}" REFERENCING {transition} '
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_{event}()",
                ]
            continue
        new, old = PEOPLE[table].replace("{row}", "NEW"), PEOPLE[table].replace("{row}", "OLD")
        events = {"update": ("UPDATE", f"{new} UNION {old}")}
        if table not in NO_INSERT_DELETE:
            events |= {"insert": ("INSERT", new), "delete": ("DELETE", old)}
        moved = " WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
        for event, (when, ids) in events.items():
            condition = moved if event == "update" else ""
            body = "; ".join(refresh_sql(vendor, ids, stamped))
            out += [
                f"DROP TRIGGER IF EXISTS {name}_{event}",
                f'CREATE TRIGGER {name}_{event} AFTER {when} ON "{table}" FOR EACH ROW{condition} BEGIN {body}; END',
            ]
    return out


def install(using: str = DEFAULT_DB_ALIAS) -> int:
    """(Re)create every trigger; returns how many tables have one. Run after every migration (SQLite drops a
    table's triggers when a migration rebuilds the table)."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(connection.vendor)
    tables = set(connection.introspection.table_names())
    if not {FACETS, COUNTS, *WATCHED} <= tables:
        return 0  # migrating a new database: the migration that creates the facets' tables installs them
    with connection.cursor() as cursor:
        for sql in statements(connection.vendor, has_stamp(connection)):
            cursor.execute(sql)
    return len(WATCHED)


def has_stamp(connection) -> bool:
    """Whether the counts have their `stamp` yet (a database migrated past 0023_h50_facet_count_stamp)."""
    with connection.cursor() as cursor:
        return "stamp" in {c.name for c in connection.introspection.get_table_description(cursor, COUNTS)}


def drop(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove every trigger (before a migration rebuilds a watched table on SQLite, or the facets' tables go)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in WATCHED:
            name = f"{TRIGGER_PREFIX}{table}"[:60]
            for event in ("insert", "update", "delete"):
                if connection.vendor == "postgresql":
                    if table in existing:
                        cursor.execute(f'DROP TRIGGER IF EXISTS {name}_{event} ON "{table}"')
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Store everyone's rows and the counts afresh, set-wise (after the migration that adds them, or to repair);
    returns the number of rows stored."""
    connection = connections[using]
    fresh = fresh_sql(connection.vendor, "SELECT id FROM detainees_detainee")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FACETS}")
        cursor.execute(f"DELETE FROM {COUNTS}")
        cursor.execute(f"INSERT INTO {FACETS} (detainee_id, facet, value, published) SELECT * FROM ({fresh}) f")
        stored = cursor.rowcount
        if has_stamp(connection):
            cursor.execute(f"INSERT INTO {COUNTS} (facet, value, n, stamp) SELECT facet, value, COUNT(*), %s "
                           f"FROM {FACETS} WHERE published GROUP BY facet, value", [time.time_ns()])  # fmt: skip
        else:
            cursor.execute(f"INSERT INTO {COUNTS} (facet, value, n) SELECT facet, value, COUNT(*) FROM {FACETS} "
                           "WHERE published GROUP BY facet, value")  # fmt: skip
    return stored


def fresh_rows(using: str = DEFAULT_DB_ALIAS) -> set[tuple]:
    """Everyone's (detainee_id, facet, value, published) computed now from the records (for tests and checks)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(fresh_sql(connection.vendor, "SELECT id FROM detainees_detainee"))
        return {(d, f, v, bool(p)) for d, f, v, p in cursor.fetchall()}


def stored_rows(using: str = DEFAULT_DB_ALIAS) -> set[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT detainee_id, facet, value, published FROM {FACETS}")
        return {(d, f, v, bool(p)) for d, f, v, p in cursor.fetchall()}


def stored_counts(using: str = DEFAULT_DB_ALIAS) -> dict[tuple[str, str], int]:
    """{(facet, value): published people}, zero counts left out."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT facet, value, n FROM {COUNTS} WHERE n <> 0")
        return {(f, v): n for f, v, n in cursor.fetchall()}


def fresh_counts(using: str = DEFAULT_DB_ALIAS) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for _, facet, value, published in fresh_rows(using):
        if published:
            counts[facet, value] = counts.get((facet, value), 0) + 1
    return counts


def install_for_migration(apps, schema_editor):
    rebuild(schema_editor.connection.alias)
    install(schema_editor.connection.alias)


def drop_for_migration(apps, schema_editor):
    drop(schema_editor.connection.alias)


def install_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    install(using)


# Filters whose count, alone, is one stored count; the parameters that change no count.
SINGLE = ("status", "held_by", "held_by_group", "citizenship", "charge_category", "designation", "custody")
NOT_FILTERS = {"page", "page_size", "ordering", "format", "fields", "cursor"}


def counts() -> dict[str, dict[str, int]]:
    """{facet: {value: published people}} from the stored counts: one read of ~60 rows."""
    return counts_and_version()[0]


def counts_and_version() -> tuple[dict[str, dict[str, int]], str]:
    """The stored counts, and their version: a digest that moves whenever any published person's facet values move
    (each count's `stamp` is set anew by the write, even one that leaves the count where it was), and with nothing
    else (a description, a source, a draft). What a list filtered by facets alone shows, its size and its facets,
    depends on nothing else, so they are kept under it and survive the writes that change no facet."""
    from django.db import router

    from common.sql import execute_prepared

    from .models import FacetCount

    # Read on every list page and API list: one prepared statement, not an ORM query compiled each time (h65)
    connection = connections[router.db_for_read(FacetCount)]
    out: dict[str, dict[str, int]] = {}
    rows = sorted(execute_prepared(connection, ("facet_counts",), f"SELECT facet, value, n, stamp FROM {COUNTS}"))
    for facet, value, n, _stamp in rows:
        if n > 0:
            out.setdefault(facet, {})[value] = n
    return out, "facets-" + hashlib.sha1(repr(rows).encode()).hexdigest()[:16]


def active_filters(params) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query that filter (empty values and paging do not)."""
    return [(k, v) for k, values in params.lists() if k not in NOT_FILTERS for v in values if v]


def known_count(filterset, public: bool, stored=None) -> int | None:
    """The size of a published list filtered by nothing or by one value of one facet, read from the stored counts
    (`stored`: the caller's, or a function that reads them, called only when they are needed); None when it must be
    counted (drafts visible, several filters, a search)."""
    if callable(stored):
        stored = stored() if is_single(filterset, public) else None
    if not is_single(filterset, public):
        return None
    active = active_filters(filterset.data) if filterset.is_bound else []
    if not active:
        return (stored or counts()).get("all", {}).get("", 0)
    name = active[0][0]
    value = filterset.form.cleaned_data.get(name)
    if isinstance(value, list | tuple):
        if len(value) != 1:
            return None
        value = value[0]
    value = str(getattr(value, "pk", value))
    stored = stored or counts()
    if name == "custody" and value == "none":
        return stored.get("all", {}).get("", 0) - stored.get("custody", {}).get("on_file", 0)
    return stored.get(name, {}).get(value, 0)


def by_facets_alone(params) -> bool:
    """Whether a query filters by stored facets alone (or not at all): then what the list shows, its size and its
    facets, depends on the stored facet rows only (`counts_and_version`)."""
    return all(name in SINGLE for name, _ in active_filters(params))


def is_single(filterset, public: bool) -> bool:
    """Whether `known_count` can read the list's size from the stored counts: published people, filtered by nothing
    or by one facet (which may still have several values)."""
    if not public or filterset is None or (filterset.is_bound and not filterset.is_valid()):
        return False
    active = active_filters(filterset.data) if filterset.is_bound else []
    return not active or (len(active) == 1 and active[0][0] in SINGLE)
