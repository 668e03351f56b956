"""Reading a gettext catalogue (.po) for the catalogue tests: entries with their context, plural and flags."""

import json
import re
from dataclasses import dataclass, field


@dataclass
class Entry:
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.strings) and all(self.strings.values())

    def where(self) -> str:
        return ", ".join(self.references) or "?"

    def label(self) -> str:
        return (f"[{self.context}] " if self.context else "") + repr(self.msgid)


_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read(path) -> list[Entry]:
    entries, entry, target = [], None, None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#:"):
            entry.references += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match:
            kind, index, value = match.group(1), match.group(2), json.loads(match.group(3))
            if kind == "msgctxt":
                entry.context, target = value, ("context", None)
            elif kind == "msgid":
                entry.msgid, target = value, ("msgid", None)
            elif kind == "msgid_plural":
                entry.plural, target = value, ("plural", None)
            else:
                number = int(index) if index is not None else 0
                entry.strings[number], target = value, ("strings", number)
        elif line.startswith('"') and target is not None:
            value = json.loads(line)
            name, number = target
            if name == "strings":
                entry.strings[number] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if e.msgid and not e.obsolete]  # the header has an empty msgid
