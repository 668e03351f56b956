"""The OpenAPI schema made honest for client generators (drf-spectacular postprocessing).

What a generated client needs that the views alone do not say: JSON-only request bodies (the parsers accept JSON
only), anonymous reads (`security` includes `{}`), error bodies, the ETag / Last-Modified / Cache-Control /
Retry-After headers, CSV as text, response objects without `required` (`fields=` may leave any field out), and
OpenAPI links from each response to the operations its ids lead to (a created record to reading, changing and deleting
it; a page to its first record; a case to its detentions, exchanges and sources), which clients and schemathesis'
stateful phase follow.
"""

from common.currencies import currency_choices

JSON = "application/json"

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` for a general error; otherwise each field named, with a list of messages "
    "(nested for nested records).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
CONFLICT_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "referenced_by": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "resource": {"type": "string", "description": "Kind of record, e.g. `exchange participants`."},
                    "ids": {"type": "array", "items": {"type": "integer"}, "description": "At most 50."},
                },
                "required": ["resource", "ids"],
            },
        },
    },
    "required": ["detail", "referenced_by"],
}
HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Strong validator of this representation; send it back "
             "in If-None-Match (reads, 304) or If-Match (writes, 412 when stale)."},
    "Last-Modified": {"schema": {"type": "string"}, "description": "When the record, or any record of its case, "
                      "last changed (HTTP date); send it back in If-Modified-Since."},
    "Cache-Control": {"schema": {"type": "string"}, "description": "`public, max-age=60` for anonymous reads, "
                      "`private, no-cache` for signed-in ones."},
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before the next request."},
}  # fmt: skip
CSV = {
    "schema": {"type": "string"},
    "example": "id,name,citizenships\r\n1,Viktor Bout,RU\r\n",
}
CSV_DESCRIPTION = (
    " With `format=csv`: CSV (UTF-8 with a byte-order mark), a header row then every matching row, not paginated; "
    "lists of values joined with `|`; cells that a spreadsheet would run as a formula start with `'`."
)
ERROR_CODES = {"400", "401", "403", "404", "405", "406", "412", "415", "429", "500", "503"}


def error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}


def tag_of(path: str) -> str:
    parts = path.removeprefix("/api/v1/").split("/")
    return parts[0] or "api"


def postprocess(result, generator, request, public):
    schemas = result["components"]["schemas"]
    schemas["Error"] = ERROR_SCHEMA
    schemas["Conflict"] = CONFLICT_SCHEMA
    docs = {}
    for path, _regex, _method, view in getattr(generator, "endpoints", None) or []:
        docs.setdefault(tag_of(path), " ".join((getattr(view, "cls", view).__doc__ or "").split()))
    for path, item in result["paths"].items():
        for method, operation in item.items():
            operation["tags"] = [tag_of(path)]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True  # an empty value is no filter, everywhere (`date_to=`)
            if not operation.get("summary"):  # views outside the viewsets: the first sentence of their description
                operation["summary"] = (operation.get("description") or tag_of(path)).split(":")[0].split(".")[0]
            if method == "get" and {} not in operation.setdefault("security", []):
                operation["security"].append({})  # reads are open to anonymous clients
            for code, response in operation["responses"].items():
                content = response.get("content", {})
                if "text/csv" in content:
                    if method == "get":
                        content["text/csv"] = CSV
                        response["description"] = (response.get("description") or "").strip() + CSV_DESCRIPTION
                    else:
                        del content["text/csv"]
                if code in ERROR_CODES | {"409"}:
                    schema = "Conflict" if code == "409" and method == "delete" else "Error"
                    response["content"] = {JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
                if method == "get" and code in ("200", "304"):
                    names = ["ETag", "Cache-Control"] + (["Last-Modified"] if "{id}" in path else [])
                    response["headers"] = {name: HEADERS[name] for name in names}
                if code == "429":
                    response["headers"] = {"Retry-After": HEADERS["Retry-After"]}
            responses = operation["responses"]
            responses.setdefault("429", {**error("Too many requests; see Retry-After."),
                                         "headers": {"Retry-After": HEADERS["Retry-After"]}})  # fmt: skip
            responses.setdefault("405", error("Method not allowed here."))
            responses.setdefault("406", error("No representation in the format asked for (Accept, format)."))
            if method in ("post", "put", "patch"):
                responses.setdefault("415", error("The body is not JSON (request bodies are JSON only)."))
    for name, schema in schemas.items():
        if name.endswith("Request"):
            describe_urls(schema)
            if "fine_currency" in schema.get("properties", {}):  # what CurrencyValidator accepts: ISO 4217, or blank
                schema["properties"]["fine_currency"].update(
                    {"enum": ["", *(code for code, _label in currency_choices())]}
                )
    add_links(result["paths"])
    tags = sorted({tag_of(path) for path in result["paths"]})
    result["tags"] = [{"name": name, "description": docs.get(name, "")} for name in tags]
    for name, schema in schemas.items():
        # A response may leave out any field (`fields=`), so a response object requires none; request bodies and
        # the envelopes (pages, tombstones, the dump) keep theirs.
        if not name.endswith("Request") and not name.startswith(("Paginated", "Tombstone", "PublicDump", "Error",
                                                                 "Conflict")):  # fmt: skip
            schema.pop("required", None)
    return result


ITEM_ACTIONS = {"get": "Get", "put": "Replace", "patch": "Change", "delete": "Delete"}
# Lists a record's id filters, beyond its own resource: `?detainee=<id>` and `?exchange=<id>`.
RELATED_LISTS = {"detainees": "detainee", "exchanges": "exchange"}


def add_links(paths: dict) -> None:
    """OpenAPI links (3.0, 4.7.25): where an id in a response leads.

    - `POST /x/` 201 → get, replace, change, delete `/x/{id}/` with the new record's id;
    - `GET /x/` 200 → get `/x/{id}/` with the id of the first result;
    - `GET`, `PUT`, `PATCH /x/{id}/` 200 → the other operations on the same record; `DELETE` 204 → get it (404);
    - a detainee or exchange → every list filtered on it (`?detainee=`, `?exchange=`).
    """
    operation_ids = {(path, method): op.get("operationId") for path, item in paths.items()
                     for method, op in item.items() if isinstance(op, dict) and "operationId" in op}  # fmt: skip
    for collection, item in paths.items():
        member = f"{collection}{{id}}/"
        if not collection.endswith("/") or member not in paths:
            continue
        tag = tag_of(collection)

        def to_member(source: str, exclude: str = "", tag=tag, member=member) -> dict:
            return {f"{ITEM_ACTIONS[m]}{link_name(tag)}": {"operationId": operation_ids[(member, m)],
                                                           "parameters": {"id": source}}
                    for m in ITEM_ACTIONS if (member, m) in operation_ids and m != exclude}  # fmt: skip

        related = {}
        if tag in RELATED_LISTS:
            param = RELATED_LISTS[tag]
            for path, other in paths.items():
                get = other.get("get")
                if (
                    path != collection
                    and get
                    and "{" not in path
                    and any(p["name"] == param and p["in"] == "query" for p in get.get("parameters", []))
                ):
                    related[f"List{link_name(tag_of(path))}Of{link_name(tag)[:-1]}"] = {
                        "operationId": get["operationId"],
                        "parameters": {param: "$response.body#/id"},
                    }
        if "post" in item:
            link(item["post"], "201", {**to_member("$response.body#/id"), **related})
        if "get" in item:
            link(item["get"], "200", to_member("$response.body#/results/0/id", exclude="delete"))
        for method, operation in paths[member].items():
            if method in ("get", "put", "patch"):
                link(operation, "200", {**to_member("$request.path.id", exclude=method), **related})
            elif method == "delete":
                link(operation, "204", to_member("$request.path.id", exclude="delete"))


def link_name(tag: str) -> str:
    return "".join(part.capitalize() for part in tag.split("-"))


def link(operation: dict, code: str, links: dict) -> None:
    if links and code in operation.get("responses", {}):
        operation["responses"][code].setdefault("links", {}).update(links)


# What an address in a request body must look like: a part of what Django's URLValidator accepts (which the API
# applies, as the admin does), stated so that a client, or schemathesis, never builds one the API would refuse:
# `format: uri` alone allows `https://x.a` (a one-letter top-level domain), which Django refuses.
URL_PATTERN = r"^(https?|ftps?)://([a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?\.){1,5}[a-zA-Z]{2,20}([/?#]\S*)?$"


def describe_urls(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("format") == "uri" and schema.get("type") == "string":
            del schema["format"]
            schema["pattern"] = URL_PATTERN
        for value in schema.values():
            describe_urls(value)
    elif isinstance(schema, list):
        for value in schema:
            describe_urls(value)
