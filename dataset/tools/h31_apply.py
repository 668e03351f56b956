"""Enter in `dataset/starter.json` what its own sources state and the model could not hold before detainees 0022_h31:
trials behind closed doors, a court's city, a term counted from the arrest, a term combined with an earlier
sentence, lawyers named in a report, and pre-trial custody ordered or extended to a date.

Idempotent: run it again (after other edits of the dataset) and it changes nothing more. Records are found by what
they are (the person's name, a sentence's or a custody's date, a source's address), never by id, so records added
or renumbered by another edit do not matter; a record it cannot find is reported and skipped, never guessed.

Only sources already in the dataset are cited, and only for what their stored summary (or stored text) says; the
quotation beside each fact below is from that summary. Nothing else is entered.

    python dataset/tools/h31_apply.py            # edit dataset/starter.json in place
    python dataset/tools/h31_apply.py --check    # exit 1 if it would change anything
"""

import json
import sys
from pathlib import Path

STARTER = Path(__file__).resolve().parent.parent / "starter.json"
# The order of the record lists in the document (dataset.backup.MODELS), new lists included.
ORDER = [
    "sources.outlet", "sources.source", "sources.official", "detainees.group", "detainees.detainee",
    "detainees.detention", "detainees.charge", "detainees.sentence", "detainees.sentencechange",
    "detainees.transfer", "detainees.custodyextension", "detainees.counsel", "detainees.designation",
    "exchanges.exchange", "exchanges.exchangeparticipant", "exchanges.exchangecount", "sources.statement",
    "sources.claim",
]  # fmt: skip

# Sources by address (as stored in the dataset).
CBS_HUBBARD = "https://www.cbsnews.com/news/russia-us-national-stephen-hubbard-prison-mercenary-ukraine-war/"
RT_HUBBARD = "https://rt.com/russia/605393-ukraine-american-mercenary-jailed"
INS_KURMASHEVA = "https://theins.press/en/news/273276"
FORUM_KARA_MURZA = ("https://www.forumfreerussia.org/en/news-en/2023-04-17/moscow-city-court-sentenced-oppositionist-"
                    "vladimir-kara-murza-to-25-years-in-strict-regime-colony")  # fmt: skip
KYIV_KRIEGER = ("https://kyivindependent.com/lukashenko-pardons-german-citizen-sentenced-to-death-by-firing-squad-for-"
                "terrorism")  # fmt: skip
RFERL_LIK = "https://rferl.org/amp/russia-teenager-treason-prison/32753694.html"
NEWSX_SPECTOR = (
    "https://newsx.com/world/russia-sentences-american-citizen-gene-spector-to-15-years-in-prison-for-espionage/amp"
)
TAG24_SPECTOR = ("https://tag24.com/world/russia/us-man-sentenced-to-long-stay-in-russian-penal-colony-over-spying-"
                 "charges-3345557")  # fmt: skip
CNN_WHELAN = ("https://www.click2houston.com/news/national/2020/06/15/former-us-marine-convicted-of-espionage-is-"
              "sentenced-to-16-years-in-prison-by-russian-court/")  # fmt: skip
REUTERS_KARELINA = ("https://www.staradvertiser.com/2024/08/15/breaking-news/russia-sentences-u-s-citizen-karelina-to-"
                    "12-years-for-treason/")  # fmt: skip
MT_ANDERSON = ("https://www.themoscowtimes.com/2025/03/05/russian-military-court-jails-british-man-19-years-for-"
               "fighting-in-ukraine-a88259")  # fmt: skip
UPI_ZIANKOVICH = "https://www.upi.com/Top_News/US/2025/05/01/Belarus-releases-American/7201746082089/"
INDEPENDENT_ASLIN_PINNER = ("https://www.independent.ie/world-news/europe/sentenced-to-death-two-british-men-fighting-"
                            "with-ukraine-army-in-donetsk-41738943.html")  # fmt: skip
BAJ_POCZOBUT = "https://baj.by/en/content/journalist-andrzej-poczobut-sentenced-8-years-prison"
KOMMERSANT_GILMAN = "https://www.kommersant.ru/doc/8250867"
ANTIGUA_VINATIER = "https://antiguatribune.com/russia-jails-french-researcher-laurent-vinatier-for-three-years/"
JURIST_VINATIER = ("https://www.jurist.org/news/2024/09/russia-court-extends-detention-of-french-researcher-for-"
                   "breaching-foreign-agent-law/")  # fmt: skip
YAHOO_BARNES = "https://news.yahoo.com/texas-father-detained-russia-sentenced-151022870.html"
TASS_TATER = "https://tass.com/emergencies/1943533"
VOA_SHKLIAROV = "https://www.voanews.com/a/usa_us-citizen-detained-belarus-returns-home/6197697.html"
MT_SHKLIAROV = "https://themoscowtimes.com/2020/10/28/detained-political-consultant-leaves-belarus-for-us-lawyer-a71886"
MEDUZA_SHKLIAROV = ("https://meduza.io/en/news/2020/10/27/jailed-political-consultant-allowed-to-leave-belarus-after-u-"
                    "s-state-secretary-asks-lukashenko-to-release-him")  # fmt: skip
MT_SEHILI = ("https://www.themoscowtimes.com/2025/09/17/french-cyclist-arrested-in-far-east-russia-placed-in-pre-trial-"
             "detention-until-oct-4-a90552")  # fmt: skip
UPDAY_SEHILI = "https://www.upday.com/fr/international/russie-lappel-du-cycliste-sehili-rejete-par-la-justice/1y62gt8"
NPR_LEAKE = "https://whyy.org/npr_story_post/russia-detains-american-citizen-michael-travis-leake"
FRANCE24_DELPAL = "https://www.france24.com/en/20190709-russian-court-keeps-french-banker-behind-bars"

# (person, the sentence's date or None for an undated one, its term in months to tell undated ones apart,
#  fields to set, sources that state them, what the source's summary says)
SENTENCES = [
    ("Stephen Hubbard", "2024-10-07", None,
     {"closed_trial": True, "counted_from": "2022-04-02", "counted_from_precision": "day"},
     [CBS_HUBBARD, RT_HUBBARD],
     "CBS: 'after a trial mostly closed to the press; the term counts from his custody beginning on 2 April 2022'; "
     "RT: 'sentenced him in a closed trial'"),
    ("Alsu Kurmasheva", "2024-07-19", None, {"closed_trial": True}, [INS_KURMASHEVA], "'in a closed trial'"),
    ("Vladimir Kara-Murza", "2023-04-17", None, {"closed_trial": True}, [FORUM_KARA_MURZA], "'after a closed trial'"),
    ("Rico Krieger", "2024-06-24", None, {"closed_trial": True}, [KYIV_KRIEGER], "'in a largely closed trial'"),
    ("Kevin Lik", "2023-12-28", None, {"closed_trial": True}, [RFERL_LIK], "'after a closed trial'"),
    ("Paul Whelan", "2020-06-15", None, {"closed_trial": True}, [CNN_WHELAN], "'tried behind closed doors'"),
    ("Ksenia Karelina", "2024-08-15", None, {"closed_trial": True}, [REUTERS_KARELINA],
     "'pleaded guilty at a closed trial'"),
    ("James Scott Rhys Anderson", "2025-03-05", None, {"closed_trial": True, "court_city": "Kursk"}, [MT_ANDERSON],
     "'the Second Western District Military Court, sitting in Kursk behind closed doors'"),
    ("Youras Ziankovich", "2022-09-05", None, {"closed_trial": True}, [UPI_ZIANKOVICH],
     "'seized outside his Moscow hotel in April 2021, driven to Minsk and convicted in a secret trial'"),
    ("Aiden Aslin", "2022-06-09", None, {"closed_trial": True}, [INDEPENDENT_ASLIN_PINNER],
     "'condemned to death after a closed three-day trial'"),
    ("Shaun Pinner", "2022-06-09", None, {"closed_trial": True}, [INDEPENDENT_ASLIN_PINNER],
     "'condemned to death after a closed three-day trial'"),
    ("Andrzej Poczobut", "2023-02-08", None, {"closed_trial": True}, [BAJ_POCZOBUT], "'after a closed trial'"),
    ("Gene Spector", "2024-12-24", None,
     {"closed_trial": True, "combination": "combined", "combines": ("Gene Spector", "2021-01-01", None)},
     [NEWSX_SPECTOR, TAG24_SPECTOR],
     "NewsX: 'after a largely closed trial, to 15 years ..., counting an earlier bribery term'; AFP (TAG24): "
     "'counting an earlier bribery sentence'"),
    ("Robert Gilman", None, 120,
     {"combination": "combined", "combines": ("Robert Gilman", "2024-10-07", None)}, [KOMMERSANT_GILMAN],
     "'in a third case over blows to prison staff he got ten years in all'"),
]  # fmt: skip

# (person, the custody's start, name as the report spells it, role, note, sources, what the summary says)
LAWYERS = [
    ("Laurent Vinatier", "2024-06-01", "Pavel Mamonov", "defence", "Said he would appeal the sentence.",
     [ANTIGUA_VINATIER], "'his lawyer Pavel Mamonov said he would appeal'"),
    ("David Barnes", "2022-01-13", "Gleb Glinka", "defence", "Said the sentence rests on almost no evidence.",
     [YAHOO_BARNES], "'his lawyer Gleb Glinka said, on almost no evidence'"),
    ("Paul Whelan", "2018-12-28", "Vladimir Zherebenkov", "defence", "", [CNN_WHELAN],
     "'his lawyer Vladimir Zherebenkov said ...'"),
    ("Joseph Tater", "2024-08-12", "Polina Vlasyuk", "defence", "Said she would appeal the order of treatment.",
     [TASS_TATER], "'His lawyer Polina Vlasyuk said ...; she would appeal'"),
    ("Vitali Shkliarov", "2020-07-29", "Anton Gashinsky", "defence", "",
     [VOA_SHKLIAROV, MT_SHKLIAROV, MEDUZA_SHKLIAROV], "VOA: 'Shkliarov's lawyer, Anton Gashinsky'"),
    ("Sofiane Sehili", "2025-09-01", "Alla Kouchnir", "defence", "", [UPDAY_SEHILI],
     "'selon son avocate Alla Kouchnir'"),
]  # fmt: skip

# (person, the custody's start, decided on (+precision), court, extended to (+precision), description, sources,
#  what the summary or stored text says)
EXTENSIONS = [
    ("Laurent Vinatier", "2024-06-01", None, "day", "Zamoskvoretsky District Court", "2025-02-21", "day", "",
     [JURIST_VINATIER], "'The Zamoskvoretsky District Court extended his custody to 21 February 2025'"),
    ("Sofiane Sehili", "2025-09-01", "2025-09-06", "day", "", "2025-10-04", "day",
     "The first court's order of pre-trial detention.", [MT_SEHILI, UPDAY_SEHILI],
     "Moscow Times (17 September 2025): 'ordered him to be held in pre-trial detention until October 4'; upday: "
     "'La juridiction avait ordonné le 6 septembre le placement du cycliste en détention provisoire'"),
    ("Sofiane Sehili", "2025-09-01", None, "day", "", "2025-11-03", "day", "", [UPDAY_SEHILI],
     "upday: 'a d'abord prolongé la détention provisoire jusqu'au 4 octobre, puis jusqu'au 3 novembre'"),
    ("Michael Travis Leake", "2023-06-01", None, "day", "", "2023-08-06", "day",
     "CNN, as NPR relays it, reported a court appearance on 10 June and custody until 6 August (of the year of "
     "his arrest, June 2023).", [NPR_LEAKE],
     "'CNN reported a court appearance on 10 June and pre-trial custody until 6 August'"),
    ("Philippe Delpal", "2019-02-14", None, "day", "", "2019-10-01", "month",
     "A Moscow judge extended it in July 2019, as AFP reported on 9 July 2019.", [FRANCE24_DELPAL],
     "'a Moscow judge extended the pre-trial detention of the French banker to October' (AFP, 9 July 2019)"),
]  # fmt: skip


class Missing(Exception):
    pass


def one(rows, what: str, test):
    found = [r for r in rows if test(r["fields"])]
    if len(found) != 1:
        raise Missing(f"{what}: {len(found)} records match")
    return found[0]


def apply(document: dict) -> list[str]:
    """Edit `document` in place; returns what it changed (empty when it was already done)."""
    records = document["records"]
    for label in ("detainees.custodyextension", "detainees.counsel"):
        records.setdefault(label, [])
    people = {r["fields"]["name"]: r["id"] for r in records["detainees.detainee"]}
    sources = {r["fields"]["url"]: r["id"] for r in records["sources.source"] if r["fields"].get("url")}
    changed: list[str] = []

    def source_ids(urls):
        missing = [u for u in urls if u not in sources]
        if missing:
            raise Missing(f"source not in the dataset: {missing}")
        return [sources[u] for u in urls]

    def custody(name, start):
        if name not in people:
            raise Missing(f"{name}: no such person")
        return one(records["detainees.detention"], f"{name}'s custody from {start}",
                   lambda f: f["detainee"] == people[name] and f["detained_on"] == start)  # fmt: skip

    def sentence(name, on, term):
        if name not in people:
            raise Missing(f"{name}: no such person")
        theirs = {r["id"] for r in records["detainees.detention"] if r["fields"]["detainee"] == people[name]}
        return one(records["detainees.sentence"], f"{name}'s sentence of {on or 'no date'}",
                   lambda f: f["detention"] in theirs and f["sentenced_on"] == on
                   and (term is None or f["term_months"] == term))  # fmt: skip

    def cite(record, ids) -> bool:
        merged = sorted(set(record["fields"]["sources"]) | set(ids))
        if merged != record["fields"]["sources"]:
            record["fields"]["sources"] = merged
            return True
        return False

    for name, on, term, values, urls, _says in SENTENCES:
        try:
            record = sentence(name, on, term)
            ids = source_ids(urls)
            wanted = dict(values)
            if "combines" in wanted:
                wanted["combines"] = sentence(*wanted["combines"])["id"]
        except Missing as why:
            changed.append(f"SKIPPED {name}: {why}")
            continue
        moved = [k for k, v in wanted.items() if record["fields"].get(k) != v]
        record["fields"].update(wanted)
        if cite(record, ids) | bool(moved):
            changed.append(f"{name}'s sentence of {on or 'no date'}: {', '.join(moved) or 'sources'}")

    def add(label, record_fields, key) -> None:
        rows = records[label]
        if any(all(r["fields"].get(k) == record_fields[k] for k in key) for r in rows):
            return
        next_id = max((r["id"] for r in rows), default=0) + 1
        rows.append({"fields": record_fields, "id": next_id})
        changed.append(f"{label} {next_id}: {record_fields.get('name') or record_fields.get('extended_to')}")

    for name, start, lawyer, role, note, urls, _says in LAWYERS:
        try:
            detention, ids = custody(name, start), source_ids(urls)
        except Missing as why:
            changed.append(f"SKIPPED {name}'s lawyer: {why}")
            continue
        add("detainees.counsel", {"detention": detention["id"], "name": lawyer, "note": note, "role": role,
                                  "sources": sorted(ids)}, ["detention", "name"])  # fmt: skip

    for name, start, decided, decided_p, court, until, until_p, description, urls, _says in EXTENSIONS:
        try:
            detention, ids = custody(name, start), source_ids(urls)
        except Missing as why:
            changed.append(f"SKIPPED {name}'s custody extension: {why}")
            continue
        add("detainees.custodyextension", {
            "court": court, "decided_on": decided, "decided_on_precision": decided_p, "description": description,
            "detention": detention["id"], "extended_to": until, "extended_to_precision": until_p,
            "sources": sorted(ids)}, ["detention", "decided_on", "extended_to"])  # fmt: skip
    return changed


def dumps(document: dict) -> str:
    """The document in the file's own layout: a header line, then one record per line under each list."""
    records = document["records"]
    header = {k: v for k, v in document.items() if k != "records"}
    out = json.dumps(header, ensure_ascii=False)[:-1] + ', "records": {'
    labels = [label for label in ORDER if label in records] + [label for label in records if label not in ORDER]
    parts = []
    for label in labels:
        rows = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records[label])
        parts.append(f'\n"{label}": [\n{rows}]')
    return out + ",".join(parts) + "\n}}\n"


def main(argv: list[str]) -> int:
    text = STARTER.read_text(encoding="utf-8")
    document = json.loads(text)
    changes = apply(document)
    new = dumps(document)
    for line in changes:
        print(line)
    if "--check" in argv:
        return 1 if new != text else 0
    if new != text:
        STARTER.write_text(new, encoding="utf-8")
    print(f"{len(changes)} change(s); {'written' if new != text else 'nothing to write'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
