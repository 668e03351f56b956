"""The words the browsable API and OPTIONS show for a view: its docstring, read as the docstrings are written.

Docstrings mark code, addresses and parameters with backticks (`after=<seq>`), as the OpenAPI schema renders them.
DRF shows a docstring as it is unless the `markdown` package is installed, so the browsable API showed the raw
backticks. This reads the one piece of markup the docstrings use instead of adding a Markdown renderer: a code
span becomes `<code>` in HTML and plain words in text; a blank line starts a paragraph, a lone newline is a space.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from rest_framework import views

_CODE = re.compile(r"`([^`\n]+)`")


def view_description(view, html: bool = False) -> str:
    """DRF's VIEW_DESCRIPTION_FUNCTION: the view's docstring with its code spans read, in text or HTML."""
    text = views.get_view_description(view, html=False)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not html:
        return "\n\n".join(_CODE.sub(r"\1", p) for p in paragraphs)
    # Escaped first, so a docstring's `<seq>` is text; the code spans' own markup is ours.
    return mark_safe("".join("<p>" + _CODE.sub(r"<code>\1</code>", escape(p)) + "</p>" for p in paragraphs))
