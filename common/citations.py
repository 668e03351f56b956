"""Numbered citations on a page (every fact is followed by [n] links to its sources), and citations of a page
itself in BibTeX, RIS and CSL-JSON."""

import datetime
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext


class Citations:
    """Gives each source a number the first time a fact on the page cites it."""

    def __init__(self):
        self._numbers: dict[int, int] = {}
        self._labels: dict[int, str] = {}
        self.sources: list = []

    def label(self, source) -> str:
        """The source's `citation_label()`, made once per page: a source is cited by many facts."""
        if source.pk not in self._labels:
            self._labels[source.pk] = source.citation_label()
        return self._labels[source.pk]

    def refs(self, sources) -> list[tuple[int, object]]:
        refs = []
        for source in sources:
            if source.pk not in self._numbers:
                self.sources.append(source)
                self._numbers[source.pk] = len(self.sources)
            refs.append((self._numbers[source.pk], source))
        return sorted(refs, key=lambda r: r[0])

    def numbered(self) -> list[tuple[int, object]]:
        return list(enumerate(self.sources, start=1))


# ---- citing a page of this site ----------------------------------------------------------------------------------

CITATION_FORMATS = {
    # format in the address: (content type, file extension, name shown on the page)
    "bib": ("application/x-bibtex; charset=utf-8", "bib", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json", "CSL-JSON"),
}


@dataclass(frozen=True)
class PageCitation:
    """What a reference manager needs to cite one page of the site: the one source of all three formats."""

    key: str  # "pet-case-paul-whelan": stable, ASCII, unique per page
    title: str
    url: str
    kind: str  # "Case record", "Exchange record", "Source record"
    updated: datetime.date
    accessed: datetime.date
    site: str = field(default_factory=lambda: settings.SITE_NAME)

    @property
    def text(self) -> str:
        """The human-readable citation shown on the page."""
        from django.utils.translation import gettext

        return gettext("%(site)s, “%(title)s”, %(url)s (last updated %(updated)s; accessed %(accessed)s).") % {
            "site": gettext(self.site), "title": self.title, "url": self.url, "updated": long_date(self.updated),
            "accessed": long_date(self.accessed)}  # fmt: skip


def long_date(day: datetime.date) -> str:
    """ "8 December 2022"; in Russian "8 декабря 2022 г." (common.models.format_partial_date)."""
    from common.models import format_partial_date

    return format_partial_date(day)


_BIBTEX_SPECIAL = {c: f"\\{c}" for c in "&%$#_{}"} | {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                                                      "\\": r"\textbackslash{}"}  # fmt: skip


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in text)


def to_bibtex(c: PageCitation) -> str:
    """A @misc entry (biblatex reads `url` and `urldate`; BibTeX styles read `howpublished` and `note`)."""
    fields = [
        ("title", _bibtex_escape(c.title)),
        ("author", "{" + _bibtex_escape(c.site) + "}"),  # a corporate author: braced so it is not split into names
        ("organization", _bibtex_escape(c.site)),
        ("year", str(c.updated.year)),
        ("month", c.updated.strftime("%b").lower()),
        ("date", c.updated.isoformat()),
        ("url", c.url),
        ("howpublished", "\\url{" + c.url + "}"),
        ("urldate", c.accessed.isoformat()),
        ("note", _bibtex_escape(gettext("%(kind)s, last updated %(updated)s; accessed %(accessed)s") % {
            "kind": c.kind, "updated": long_date(c.updated), "accessed": long_date(c.accessed)})),  # fmt: skip
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def to_ris(c: PageCitation) -> str:
    """An ELEC (web page) record; Y2 is the access date, DA the last update."""
    lines = [
        ("TY", "ELEC"),
        ("TI", c.title),
        ("AU", c.site),
        ("PB", c.site),
        ("PY", str(c.updated.year)),
        ("DA", c.updated.strftime("%Y/%m/%d")),
        ("Y2", c.accessed.strftime("%Y/%m/%d")),
        ("UR", c.url),
        ("N1", c.kind),
        ("ID", c.key),
        ("ER", ""),
    ]
    return "\r\n".join(f"{tag}  - {value}" for tag, value in lines) + "\r\n"


def to_csl_json(c: PageCitation) -> list[dict]:
    """CSL-JSON, as Zotero, Pandoc and citeproc read it: a list of one item of type `webpage`."""

    def parts(day: datetime.date) -> dict:
        return {"date-parts": [[day.year, day.month, day.day]]}

    return [
        {
            "id": c.key,
            "type": "webpage",
            "title": c.title,
            "author": [{"literal": c.site}],
            "container-title": c.site,
            "publisher": c.site,
            "genre": c.kind,
            "URL": c.url,
            "issued": parts(c.updated),
            "accessed": parts(c.accessed),
        }
    ]


def render_citation(c: PageCitation, fmt: str) -> str:
    """The citation in one of CITATION_FORMATS."""
    if fmt == "bib":
        return to_bibtex(c)
    if fmt == "ris":
        return to_ris(c)
    return json.dumps(to_csl_json(c), ensure_ascii=False, indent=2) + "\n"
