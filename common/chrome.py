"""A page's fixed chrome (`base.html`: the head, the site header, the footer) rendered once, its own parts spliced in.

The case page's chrome is the same for every person of a language: some 150 template nodes (a `{% url %}`, a
`{% translate %}`, a `{% static %}` each) that cost a seventh of a cold case page (h54's and h61's profiles). Here
`base.html` is rendered once per process and variant with a marker in each block the page fills and in each address
of the page in another language, and each response is that skeleton with the page's own blocks (rendered by the
page's template, with the same context, as `{% extends %}` renders them) and addresses put in place of the markers.

Only for anonymous visitors (a signed-in user's messages are read by base.html) and addresses without a query (the
search box may show it). A variant is keyed by everything else base.html reads outside the page's blocks: the
language, the script prefix, the scheme and host, the addresses' languages (the page's own marked current), and the
view's app and URL name (the active navigation item). Any change of a setting (tests) forgets every skeleton.
Nothing that differs per request (a CSP nonce) may be written into base.html outside a block without being added to
the key or the markers here.
"""

import re

from django.core.signals import setting_changed
from django.template import engines
from django.template.context import make_context
from django.template.loader_tags import ExtendsNode
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.translation import get_language

_MARK = "\x00h63-{}\x00"  # no template writes a NUL byte, and escaping leaves it as it is
_SPLIT = re.compile("\x00h63-([^\x00]+)\x00")
_SKELETONS: dict[tuple, list[str] | None] = {}


def _forget(**kwargs):
    _SKELETONS.clear()


setting_changed.connect(_forget, dispatch_uid="h63-forget-chrome")


def render(template, context: dict, request) -> str | None:
    """`template` (a backend template whose source starts with `{% extends %}`) rendered for `request` with
    `context`, its chrome from the skeleton; None when the page is not one this can render (a signed-in user, a
    template that does not extend), for the caller to render it the usual way."""
    if request.user.is_authenticated or request.GET:
        return None
    compiled = template.template
    extends = compiled.nodelist[0] if compiled.nodelist else None
    if not isinstance(extends, ExtendsNode) or extends.parent_name.var != "base.html":
        return None
    context = make_context(context, request, autoescape=template.backend.engine.autoescape)
    with context.render_context.push_state(compiled), context.bind_template(compiled):
        context.template_name = compiled.name
        alternates = context.get("page_alternates") or []
        skeleton = _skeleton(request, extends.blocks, alternates, context.get("page_language"))
        if skeleton is None:
            return None
        filled = {}
        for name, block in extends.blocks.items():
            with context.push():
                context["block"] = block
                filled[f"block-{name}"] = block.nodelist.render(context)
    for i, alternate in enumerate(alternates):
        filled[f"url-{i}"] = escape(alternate["url"])
    out = []
    for i, piece in enumerate(skeleton):
        out.append(filled[piece] if i % 2 else piece)
    return "".join(out)


def _skeleton(request, blocks: dict, alternates: list[dict], page_language) -> list[str] | None:
    """base.html for this variant: text and marker names alternately (None if a marker is missing or repeated where
    it must appear once: then the page is rendered the usual way)."""
    match = request.resolver_match
    key = (get_language(), get_script_prefix(), request.scheme, request.get_host(), page_language,
           tuple((a["code"], a["hreflang"], a["name"], a["current"]) for a in alternates),
           getattr(match, "app_name", None), getattr(match, "url_name", None), tuple(sorted(blocks)))  # fmt: skip
    try:
        return _SKELETONS[key]
    except KeyError:
        pass
    source = '{% extends "base.html" %}' + "".join(
        f"{{% block {name} %}}{_MARK.format('block-' + name)}{{% endblock %}}" for name in blocks
    )
    marked = [{**a, "url": _MARK.format(f"url-{i}")} for i, a in enumerate(alternates)]
    text = engines["django"].from_string(source).render({"page_alternates": marked}, request)
    pieces = _SPLIT.split(text)
    names = pieces[1::2]
    once = all(names.count(f"block-{name}") == 1 for name in blocks)
    skeleton = pieces if once and all(n.startswith(("block-", "url-")) for n in names) else None
    if len(_SKELETONS) > 64:  # hosts are few (ALLOWED_HOSTS); never let odd ones pile up
        _SKELETONS.clear()
    _SKELETONS[key] = skeleton
    return skeleton
