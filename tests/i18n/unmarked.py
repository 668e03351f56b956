"""Finders of user-visible English left out of the translation catalogues (tests/i18n/test_marked.py runs them).

Templates: Django's own lexer splits each template; the text between tags, and the attributes people read
(placeholder, title, alt, aria-label, the meta description), must not hold letters outside {% translate %} /
{% blocktranslate %}; `pluralize` (English plurals) and literal English handed to an include or a filter are
findings too. Python: the AST of every app module; a string literal (or f-string, or "…".format()) given as a
verbose name, help text, label, choice label, admin description, message to the user, or the text of a
ValidationError / API error, and not wrapped in gettext, is a finding.

Each finding is (path relative to the repository, line, the text).
"""

import ast
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]

# Text that is the same in every language: names of formats, standards and the like.
ALLOWED_TEXT = {
    "API",
    "REST API",
    "BibTeX",
    "RIS",
    "CSL-JSON",
    "JSON",
    "CSV",
    "Atom",
    "OpenAPI",
    "Swagger UI",
    "ReDoc",
    "Wikidata",
    "ORCID",
    "Redoc",
}
# Words that are code in a given template: the census names its one parameter, `on`, beside its error.
ALLOWED_IN = {("templates/detainees/census.html", "on")}
# Whole templates that are not the site's words: the API's documentation pages, English by design (common.i18n).
SKIPPED_TEMPLATES = {"templates/drf_spectacular/redoc.html", "templates/drf_spectacular/swagger_ui.html",
                     "templates/api_root.html"}  # fmt: skip

LETTERS = re.compile(r"[^\W\d_]{2,}")
READ_ATTRIBUTES = re.compile(
    r"""\b(placeholder|title|alt|aria-label|aria-description)\s*=\s*("([^"]*)"|'([^']*)')""", re.IGNORECASE
)
META_CONTENT = re.compile(r"""<meta\s+name="description"\s+content="([^"{]*[A-Za-z][^"{]*)\"""")
TAG = re.compile(r"<[^>]*>", re.DOTALL)
ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;")
LITERAL = re.compile(r"""(?<![\w.])("([^"]*)"|'([^']*)')""")
# Block tags whose literal arguments are not prose (addresses, names of templates, formats, comparisons).
CODE_TAGS = {
    "url", "static", "load", "extends", "include", "block", "endblock", "if", "elif", "for", "with", "firstof",
    "cycle", "now", "csrf_token", "get_current_language", "get_available_languages", "get_language_info_list",
    "get_language_info", "language", "partial_date", "querystring", "regroup", "spaceless", "autoescape",
    "filter", "widthratio", "templatetag", "ifchanged", "verbatim", "lorem",
}  # fmt: skip
TRANSLATING_TAGS = {"translate", "trans", "blocktranslate", "blocktrans", "plural"}
# Filter arguments that are formats or code, not prose.
CODE_FILTERS = re.compile(
    r"\|(date|time|default_if_none:None|yesno|stringformat|floatformat|cut|add|slice|"
    r"urlencode|join|truncatechars|truncatewords|get_digit|dictsort|dictsortreversed)\s*:\s*$"
)


def _visible(text: str) -> str:
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"<code\b[^>]*>.*?</code>", " ", text, flags=re.DOTALL)  # names of parameters and fields: code
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    text = TAG.sub(" ", text)
    return " ".join(ENTITY.sub(" ", text).split())


def _has_words(text: str) -> bool:
    pieces = re.split(r"\s*[·•|]\s*", text)
    if len(pieces) > 1:  # "API · CSV": each piece on its own
        return any(_has_words(piece) for piece in pieces)
    text = text.strip(" \t\n—–-:;,.()[]")
    if not LETTERS.search(text) or text in ALLOWED_TEXT:
        return False
    return not CSS_CLASS.fullmatch(text)  # a class name in a {% block bodyclass %}: "change-form"


# A CSS class or identifier, not prose: lowercase words joined by hyphens or underscores.
CSS_CLASS = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")


def template_findings(path: Path) -> list[tuple[str, int, str]]:
    rel = path.relative_to(ROOT).as_posix()
    if rel in SKIPPED_TEMPLATES:
        return []
    source = path.read_text()
    findings = []
    depth = {"translating": 0, "comment": 0, "verbatim": 0, "raw": 0}
    pending = ""  # text split by tags inside one HTML tag (an attribute with a {% if %} in it)
    for token in Lexer(source).tokenize():
        line = token.lineno
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            if name in ("blocktranslate", "blocktrans"):
                depth["translating"] += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth["translating"] -= 1
            elif name == "comment":
                depth["comment"] += 1
            elif name == "endcomment":
                depth["comment"] -= 1
            elif name == "pluralize" or "|pluralize" in token.contents:
                findings.append((rel, line, "{% " + token.contents + " %} (English plural: use blocktranslate count)"))
            if name not in CODE_TAGS and name not in TRANSLATING_TAGS and not depth["comment"]:
                findings += _literals(rel, line, token.contents)
            elif name in ("include", "with") and not depth["comment"]:
                findings += _literals(rel, line, token.contents.split(" with ", 1)[1] if " with " in token.contents
                                      else "", only_assignments=True)  # fmt: skip
            continue
        if depth["comment"] or depth["translating"]:
            continue
        if token.token_type == TokenType.VAR:
            if "|pluralize" in token.contents:
                findings.append((rel, line, "{{ " + token.contents + " }} (English plural: use blocktranslate count)"))
            findings += _literals(rel, line, token.contents)
            continue
        if token.token_type != TokenType.TEXT:
            continue
        text = token.contents
        for match in READ_ATTRIBUTES.finditer(text):
            value = match.group(3) if match.group(3) is not None else match.group(4)
            if _has_words(value):
                findings.append((rel, line + text[: match.start()].count("\n"), value))
        for match in META_CONTENT.finditer(text):
            findings.append((rel, line + text[: match.start()].count("\n"), match.group(1)))
        # Text inside an open tag (between "<" and ">") is attributes, checked above; the rest is what people read.
        visible = pending + text
        last_open, last_close = visible.rfind("<"), visible.rfind(">")
        pending = visible[last_open:] if last_open > last_close else ""
        body = visible[:last_open] if last_open > last_close else visible
        body = re.sub(r"^[^<>]*>", " ", body) if body.find(">") < body.find("<") or "<" not in body else body
        body = _visible(body)
        for piece in re.split(r"\s{2,}", body):
            if _has_words(piece) and (rel, piece.strip(" :")) not in ALLOWED_IN:
                findings.append((rel, line, piece))
    return findings


def _literals(rel: str, line: int, contents: str, only_assignments: bool = False) -> list[tuple[str, int, str]]:
    found = []
    for match in LITERAL.finditer(contents):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        before = contents[: match.start()]
        if only_assignments and not before.rstrip().endswith("="):
            continue
        if before.endswith("_("):  # {{ _("…") }}, {% … _("…") %}: translated
            continue
        if CODE_FILTERS.search(before) or before.rstrip().endswith(("==", "!=", " in", "not in")):
            continue
        if before.rstrip().endswith(":") and re.search(r"\|\w+\s*:\s*$", before) and " " not in value:
            continue  # a filter's code argument (a name, a key)
        if _has_words(value) and (" " in value.strip() or value[:1].isupper()):
            found.append((rel, line, value))
    return found


def all_templates() -> list[Path]:
    paths = list((ROOT / "templates").rglob("*.html"))
    for app in APPS:
        paths += list((ROOT / app / "templates").rglob("*.html"))
    return sorted(paths)


# ----------------------------------------------------------------------------------------------------------------
APPS = ["common", "config", "detainees", "exchanges", "sources", "casedocs", "changes", "dataset"]
# Modules that speak to operators on a terminal or to machines (no user reads them in a page, the admin or the API).
# dataset/tools/: one-off scripts that edit the starter dataset (their literals are records' data, not the site's words)
SKIPPED_PY = re.compile(
    r"/(migrations|management)/|^dataset/tools/|^(config/settings\.py|config/wsgi\.py|config/asgi\.py)$"
)

GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext",
           "npgettext_lazy", "format_lazy", "gettext_noop", "_noop"}  # fmt: skip
TEXT_KEYWORDS = {"verbose_name", "verbose_name_plural", "help_text", "label", "empty_label", "description",
                 "message", "empty_value_display", "title", "detail"}  # fmt: skip
# Calls whose first positional argument is shown to a person: errors an editor or an API client reads.
ERROR_CALLS = {"ValidationError", "ParseError", "NotFound", "PermissionDenied", "PreconditionFailed",
               "NotAcceptable", "MethodNotAllowed", "UnsupportedMediaType", "APIException", "Throttled",
               "AuthenticationFailed", "NotAuthenticated", "Conflict"}  # fmt: skip
MESSAGE_CALLS = {"success": 1, "error": 1, "warning": 1, "info": 1, "debug": 1, "add_message": 2, "message_user": 1}
CLASS_TEXT = {"short_description", "title", "empty_value_display", "verbose_name", "verbose_name_plural",
              "help_text", "label", "description", "sort_options", "citation_kind", "subtitle", "site_header",
              "site_title", "index_title", "search_placeholder", "placeholder"}  # fmt: skip


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _unmarked(node: ast.expr) -> list[tuple[int, str]]:
    """The bare prose in an expression (recursing through containers and conditionals, stopping at gettext)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)] if _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [(node.lineno, "f" + repr(text))] if _has_words(text) else []
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in GETTEXT:
            return []
        if name in ("format_html", "mark_safe") and node.args:  # HTML around words: the words must be marked
            return _unmarked(node.args[0])
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _unmarked(node.func.value)
        return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _unmarked(node.left) + (_unmarked(node.right) if isinstance(node.op, ast.Add) else [])
    if isinstance(node, ast.IfExp):
        return _unmarked(node.body) + _unmarked(node.orelse)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if all(isinstance(e, ast.Tuple) and len(e.elts) == 2 for e in node.elts) and node.elts:
            return [f for e in node.elts for f in _unmarked(e.elts[1])]  # (value, label) pairs: the labels
        return [f for element in node.elts for f in _unmarked(element)]
    if isinstance(node, ast.Dict):
        return [f for value in node.values if value is not None for f in _unmarked(value)]
    return []


# The API's documentation (OpenAPI: help texts and labels of serializers, filters and API views) stays English.
API_DOCS = re.compile(r"(^|/)(serializers|filters|api|schema|api_root|api_urls)\.py$")
API_DOC_KEYWORDS = {"help_text", "label", "description", "title"}


ERROR_LISTS = re.compile(r"error|problem|refus|missing|warning", re.IGNORECASE)


def _is_error_list(node: ast.expr) -> bool:
    """`errors`, `self.top_errors`, `errors.setdefault("x", [])`, `problems`: lists of messages someone reads."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault":
        node = node.func.value
    return bool(ERROR_LISTS.search(_name(node)))


def _fieldset_text(node: ast.expr) -> list[tuple[int, str]]:
    """An admin's fieldsets: each title and each "description" shown above the fields."""
    found = []
    for fieldset in getattr(node, "elts", []):
        if isinstance(fieldset, ast.Tuple) and len(fieldset.elts) == 2:
            found += _unmarked(fieldset.elts[0])
            options = fieldset.elts[1]
            if isinstance(options, ast.Dict):
                for key, value in zip(options.keys, options.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "description":
                        found += _unmarked(value)
    return found


class _Finder(ast.NodeVisitor):
    def __init__(self, api_docs: bool = False):
        self.found: list[tuple[int, str]] = []
        self.skipped_keywords = API_DOC_KEYWORDS if api_docs else set()

    def visit_ClassDef(self, node):
        bases = {_name(base) for base in node.bases}
        is_choices = bool(bases & {"TextChoices", "IntegerChoices", "Choices"})
        for statement in node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target = statement.targets[0]
                if is_choices and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) >= 2:
                    self.found += _unmarked(statement.value.elts[-1])
                elif isinstance(target, ast.Name) and target.id == "fieldsets":
                    self.found += _fieldset_text(statement.value)
                elif isinstance(target, ast.Name) and target.id in CLASS_TEXT and node.name != "Meta" or (
                    node.name == "Meta" and isinstance(target, ast.Name)
                    and target.id in {"verbose_name", "verbose_name_plural", "help_texts", "labels"}
                ):  # fmt: skip
                    self.found += _unmarked(statement.value)
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:  # function.short_description = "…"
            if isinstance(target, ast.Attribute) and target.attr in {"short_description", "help_text", "label"}:
                self.found += _unmarked(node.value)
            if isinstance(target, ast.Subscript) and _is_error_list(target.value):  # errors["field"] = ["…"]
                self.found += _unmarked(node.value)
        self.generic_visit(node)

    def visit_Dict(self, node):
        if not self.skipped_keywords:  # a page's context: {"title": "…"} (the API's own dicts are documentation)
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("title", "placeholder", "data-placeholder",
                                                                    "aria-label"):  # fmt: skip
                    self.found += _unmarked(value)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _name(node.func)
        for keyword in node.keywords:
            if keyword.arg in self.skipped_keywords:
                continue
            if keyword.arg in TEXT_KEYWORDS or keyword.arg in ("choices", "error_messages", "help_texts", "labels"):
                if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                    for pair in keyword.value.elts:
                        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                            self.found += _unmarked(pair.elts[1])
                elif keyword.arg != "choices":
                    self.found += _unmarked(keyword.value)
        if name in ERROR_CALLS and node.args:
            self.found += _unmarked(node.args[0])
        if name == "append" and isinstance(node.func, ast.Attribute) and _is_error_list(node.func.value) and node.args:
            self.found += _unmarked(node.args[0])  # errors.setdefault("field", []).append("…"), problems.append("…")
        if name == "check_order" and node.args:  # common.models.check_order(…, message): a refusal
            self.found += _unmarked(node.args[-1])
        if name == "add_error" and len(node.args) >= 2:  # form.add_error(field, "…")
            self.found += _unmarked(node.args[1])
        if name == "Entry" and len(node.args) >= 3:  # the methodology page's vocabulary (config/methodology.py)
            self.found += _unmarked(node.args[0]) + _unmarked(node.args[2])
        if name in MESSAGE_CALLS and isinstance(node.func, ast.Attribute) and _name(node.func.value) in (
            "messages", "self"
        ) and len(node.args) > MESSAGE_CALLS[name]:  # fmt: skip
            self.found += _unmarked(node.args[MESSAGE_CALLS[name]])
        self.generic_visit(node)


def python_findings(path: Path) -> list[tuple[str, int, str]]:
    rel = path.relative_to(ROOT).as_posix()
    finder = _Finder(api_docs=bool(API_DOCS.search(rel)))
    finder.visit(ast.parse(path.read_text(), filename=rel))
    return [(rel, line, text) for line, text in sorted(set(finder.found))]


def all_python() -> list[Path]:
    paths = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if not SKIPPED_PY.search(path.relative_to(ROOT).as_posix()):
                paths.append(path)
    return paths


def every_finding() -> list[tuple[str, int, str]]:
    found = []
    for path in all_templates():
        found += template_findings(path)
    for path in all_python():
        found += python_findings(path)
    return found
