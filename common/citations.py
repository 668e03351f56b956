"""Numbered citations on a page: every fact is followed by [n] links to its sources."""


class Citations:
    """Gives each source a number the first time a fact on the page cites it."""

    def __init__(self):
        self._numbers: dict[int, int] = {}
        self.sources: list = []

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
