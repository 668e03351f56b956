"""h60 (ninth pass): headlines and dates found again in the stored pages, citizenships, Kurmasheva's foreign-agent
charge, Gershkovich's closed trial, Russian names. Every fact from a report read with the `search` tool (corpus
pages); see dataset/sources-read.md, "Read for the ninth pass". Idempotent: running it twice changes nothing.
Run: python dataset/tools/h60_apply.py"""

import json
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "starter.json"
doc = json.loads(PATH.read_text())
R = doc["records"]


def record(section, rid):
    (row,) = [x for x in R[section] if x["id"] == rid]
    return row["fields"]


def next_id(section):
    return max(x["id"] for x in R[section]) + 1


def outlet(name, website, country, kind):
    for o in R["sources.outlet"]:
        if o["fields"]["name"] == name:
            return o["id"]
    oid = next_id("sources.outlet")
    R["sources.outlet"].append(
        {"fields": {"country": country, "kind": kind, "name": name, "website": website}, "id": oid}
    )
    return oid


def source(url, out, title, seen, published, precision, language, summary, text, author=""):
    for s in R["sources.source"]:
        if s["fields"]["url"] == url:
            return s["id"]
    sid = next_id("sources.source")
    R["sources.source"].append(
        {
            "fields": {
                "archive_url": "",
                "author": author,
                "headline_on_file": seen,
                "language": language,
                "outlet": out,
                "published_on": published,
                "published_on_precision": precision,
                "summary": summary,
                "text": text,
                "title": title,
                "url": url,
                "via": None,
            },
            "id": sid,
        }
    )
    return sid


def cite(section, rid, *sources):
    fields = record(section, rid)
    fields["sources"] = sorted(set(fields["sources"]) | set(sources))


def citizenships(person, codes, *sources):
    fields = record("detainees.detainee", person)
    fields["citizenships"] = ",".join(sorted(set(filter(None, fields["citizenships"].split(","))) | set(codes)))
    cite("detainees.detainee", person, *sources)


# --- 1. headlines and dates the stored copies show ----------------------------------------------------------------
# Süddeutsche Zeitung's picture story: the stored copy ends with its date line, "9. Juli 2010, 17:20".
record("sources.source", 56).update(published_on="2010-07-09", published_on_precision="day")
# The Moscow Times on Anderson's sentence: the stored copy at the same address without "www." opens with the headline.
record("sources.source", 119).update(
    title="Russian Military Court Jails British Man 19 Years for Fighting in Ukraine", headline_on_file=True
)

# --- 2. reports added ------------------------------------------------------------------------------------------------
s_wapo = source(
    "http://www.washingtonpost.com/wp-dyn/content/article/2010/07/09/AR2010070901956.html?hpid=topnews",
    outlet("The Washington Post", "https://www.washingtonpost.com/", "US", "newspaper"),
    "U.S. and Russia complete spy swap",
    True,
    "2010-07-10",
    "day",
    "en",
    "The ten agents flown from New York to Vienna, nine of them Russians and one a naturalised US citizen born in "
    "Peru, boarded a Russian government jet on 9 July 2010 and were traded on the airport's tarmac for four Russians "
    "who had been jailed for years over their contacts with the West; those four went on to Britain or the US.",
    "Moscow's agents -- nine Russians and a Peruvian-born naturalized U.S. citizen -- boarded a Russian government "
    "Yak-42 jet in Vienna at about noon after disembarking from a U.S. charter plane that had carried them overnight "
    "from New York. They were traded for four Russians who were jailed for years because of their contacts with the "
    "West.",
    author="Mary Beth Sheridan and Andrew Higgins",
)
s_cpj = source(
    "https://cpj.org/2022/03/poland-charges-spanish-freelance-reporter-with-spying-for-russia/amp",
    outlet("Committee to Protect Journalists", "https://cpj.org/", "US", "ngo"),
    "Poland charges Spanish freelance reporter with spying for Russia",
    True,
    "2022-03-04",
    "day",
    "en",
    "The press-freedom group's statement on the espionage charge Poland brought against the freelance reporter "
    "Pablo González after his arrest in Przemyśl on 28 February 2022; an update of 18 October 2024 calls him a "
    "Spanish-Russian citizen, also known as Pavel Alekseyevich Rubtsov, freed to Russia in the August 2024 exchange.",
    "UPDATE, October 18, 2024: Polish authorities accused Pablo González, also known as Pavel Alekseyevich Rubtsov, "
    "a Spanish-Russian citizen, of being an agent for Russia's intelligence services. [...] Berlin, March 4, 2022",
)
s_aljazeera = source(
    "https://www.aljazeera.com/news/2024/7/22/moscow-jails-russian-america-journalist-alsu-kurmasheva-for-over-six-years",
    outlet("Al Jazeera", "https://www.aljazeera.com/", "QA", "broadcaster"),
    "Report on Moscow jailing the Russian-American journalist Alsu Kurmasheva for over six years",
    False,
    "2024-07-22",
    "day",
    "en",
    "Kurmasheva was sentenced in Kazan to six and a half years for false information about the army after two days "
    "of hearings; a week after being fined over her US passport she had been accused of evading foreign-agent "
    "registration, and pleaded not guilty. Gershkovich was sentenced the same day after a three-day closed trial.",
    "A Russian court has sentenced Alsu Kurmasheva [...] to six and a half years in prison for spreading false "
    "information about the Russian army. [...] another US citizen, Wall Street Journal reporter Evan Gershkovich, "
    "to 16 years in prison for espionage after a three-day trial behind closed doors. [...] A week later, she was "
    "charged with failing to register as a \u201cforeign agent\u201d, to which she pleaded not guilty.",
)

# --- 3. citizenships the reports state --------------------------------------------------------------------------------
for person in (39, 40, 41, 42, 43, 45, 46, 47, 48):  # Chapman and eight more of the ten agents: "nine Russians"
    citizenships(person, {"RU"}, s_wapo)
citizenships(44, {"US"}, s_wapo)  # Vicky Pelaez: "a Peruvian-born naturalized U.S. citizen"
for person in (49, 50):  # Skripal and Sutyagin, two of the "four Russians who were jailed"
    citizenships(person, {"RU"}, s_wapo)
citizenships(25, {"ES", "RU"}, s_cpj)  # Pavel Rubtsov (Pablo González): "a Spanish-Russian citizen"

# --- 4. Kurmasheva's foreign-agent charge, Gershkovich's closed trial -------------------------------------------------
record("detainees.charge", 24)["description"] = (
    "Evading the duties of a foreign agent. The verdict of 19 July 2024 is reported as a conviction for spreading "
    "false information about the army (art. 207.3) alone; no report read says whether this charge was tried, "
    "merged or dropped before her release in the exchange of 1 August 2024."
)
cite("detainees.charge", 24, s_aljazeera)
record("detainees.sentence", 6)["closed_trial"] = True
cite("detainees.sentence", 6, s_aljazeera)

# --- 5. Russian names -------------------------------------------------------------------------------------------------
record("detainees.detainee", 54)["name_original"] = "Юрий Малев"  # Kommersant's headline (source 164)
cite("detainees.detainee", 54, 164)
record("detainees.detainee", 112)["name_original"] = "Михаил Лощинин"  # Radio Svoboda and Meduza (277, 278)

# Russian-language reports that write a person's name in Cyrillic (in the nominative, as used here).
s_inosmi = source(
    "https://inosmi.ru/amp/20200709/247728691.html",
    outlet("InoSMI", "https://inosmi.ru/", "RU", "state_media"),
    "El Mundo (Испания): лже-модель в обмен на шпиона-предателя",
    True,
    None,
    "day",
    "ru",
    "Russian translation of an El Mundo retrospective on the Vienna exchange of 2010, ten years on: Anna Chapman "
    "stepped off one plane and Sergei Skripal off the Russian one.",
    "Зрелище — как из фильма про разведчиков времен холодной войны: из Боинга-747 вышла Анна Чапман, а из "
    "российского самолета — Сергей Скрипаль. Дело было в Вене.",
)
s_usrusski = source(
    "https://usrusskinews.com/2025/04/16/la-woman-a-us-russia-dual",
    outlet("US Russki News", "https://usrusskinews.com/", "US", "other"),
    "Обмен заключенными между США и Россией: освободили Ксению Карелину",
    True,
    None,
    "day",
    "ru",
    "Russian-language retelling of a Los Angeles Times report: the dual national boarded a private plane at Abu "
    "Dhabi airport after Moscow freed her in exchange for a Russian-German jailed in the US for smuggling.",
    "Дуал-американка Ксения Карелина поднялась на частный самолет в четверг после своего освобождения в аэропорту "
    "Абу-Даби, Объединенные Арабские Эмираты.",
)
s_regnum = source(
    "https://regnum.ru/news/3947298",
    outlet("Regnum", "https://regnum.ru/", "RU", "independent"),
    "Report that a Russian citizen would return home in exchange for Marc Fogel",
    False,
    None,
    "day",
    "ru",
    "Peskov said a Russian citizen would come home within days under the deal that freed the American teacher; the "
    "agency recalls the White House naming him as Alexander Vinnik.",
    "Белый дом 12 февраля заявил, что гражданин РФ Александр Винник в скором времени будет освобождён и передан "
    "России. Освобождение Винника — часть соглашения, в рамках которого Вашингтону был передан гражданин США Марк "
    "Фогель.",
)
s_kommersant = source(
    "https://www.kommersant.ru/doc/8338437",
    outlet("Kommersant", "https://www.kommersant.ru/", "RU", "newspaper"),
    "Report on the exchange of Laurent Vinatier and Daniil Kasatkin (Kommersant)",
    False,
    "2026-01-08",
    "day",
    "ru",
    "Russia and France swapped two prisoners: the French researcher was freed in Moscow and the Russian basketball "
    "player walked out of prison in Paris; their Paris lawyer Frédéric Bélot, who acted for both, speaks about the "
    "cases.",
    "В Москве был освобожден французский ученый Лоран Винатье, обвиненный в России в невыполнении обязанностей "
    "иноагента, а в Париже вышел из тюрьмы российский баскетболист Даниил Касаткин",
)
s_topnews = source(
    "http://www.topnews.ru/news_id_82281.html",
    outlet("TopNews.ru", "http://www.topnews.ru/", "RU", "other"),
    "В Интернете появилось видео обмена шпиона Кохвера (ВИДЕО)",
    True,
    "2015-09-27",
    "day",
    "ru",
    "Video of the exchange on the Piusa bridge at the Kunichina Gora checkpoint in the Pskov region: the Estonian "
    "sentenced in Russia for spying was traded for a former Estonian security police officer jailed for passing "
    "secrets to Russia.",
    "Эстон Кохвер был задержан на эстонско-российской границе в сентябре прошлого года. [...] Алексей Дрессен — "
    "бывший офицер полиции безопасности Эстонии",
    author="Иван Рутов",
)
s_life = source(
    "https://life.ru/p/1255322",
    outlet("Life.ru", "https://life.ru/", "RU", "other"),
    "Литва обменяла двух россиян на двух литовцев и норвежца Берга",
    True,
    None,
    "day",
    "ru",
    "Citing Reuters and TASS: two Lithuanians convicted in Russia of intelligence work came home, and the Norwegian "
    "convicted of spying was among those handed over, in return for two Russians the Lithuanian president pardoned.",
    "На родину вернулись осуждённые в России за разведдеятельность граждане Литвы Евгений Матайтис и Аристидас "
    "Тамосайтис. В офисе премьер-министра Норвегии ТАСС подтвердили, что среди переданных был также осуждённый в "
    "России за шпионаж норвежец Фруде Берг.",
)
s_fontanka = source(
    "https://www.fontanka.ru/2019/11/15/129/",
    outlet("Fontanka", "https://www.fontanka.ru/", "RU", "independent"),
    "Освобожденных в Литве россиян поменяли на норвежского шпиона Фруде Берга",
    True,
    None,
    "day",
    "ru",
    "Relaying Delfi: the exchange on the Lithuanian-Russian border brought home two men convicted in Russia, with 13 "
    "and 12 years, and the Norwegian, taken to his embassy in Vilnius.",
    "В Литву вернулись собиравший военные данные гражданин России и Литвы Евгений Матайтис, получивший в России 13 "
    "лет колонии строгого режима, и разведчик-нелегал Аристидас Тамошайтис, которого осудили на 12 лет.",
)
s_focus = source(
    "https://focus.ua/world/650764-v-rf-sudyat-soldata-ssha-kotoryy-yakoby-ugrozhal-ubit-svoyu-podrugu-rossiyanku",
    outlet("Focus.ua", "https://focus.ua/", "UA", "other"),
    "В РФ судят солдата США, который якобы угрожал убить свою подругу-россиянку",
    True,
    None,
    "day",
    "ru",
    "Citing Reuters: the US Army staff sergeant detained in Vladivostok on 2 May on suspicion of stealing from his "
    "Russian girlfriend, later also accused of threatening to kill her, went on trial there.",
    "Задержанный в России штаб-сержант армии США Гордон Блэк предстал перед судом во Владивостоке.",
)
s_babel = source(
    "https://babel.ua/ru/news/53575-belorusskiy-politzaklyuchennyy-shklyarov-vyehal-iz-strany-ob-ego-osvobozhdenie-prosil-lukashenko-gossekretar-ssha",
    outlet("Babel", "https://babel.ua/", "UA", "independent"),
    "Report that the Belarusian political prisoner Vitali Shkliarov left the country (Babel)",
    False,
    None,
    "day",
    "ru",
    "Citing Tut.by and Nasha Niva: the political consultant, lately let out of prison, left Belarus for the United "
    "States, whose citizen he is, after Pompeo raised his case with Lukashenko on 24 October; his lawyer said he "
    "remained under investigation.",
    "Беларусский политтехнолог Виталий Шкляров, которого недавно выпустили из тюрьмы, покинул страну. [...] СМИ "
    "пишут, что политзаключенный вернется в США, гражданином которых он является.",
)
s_rambler = source(
    "https://news.rambler.ua/politics/53299585-diplomaty-rossii-posetili-nahodyaschegosya-pod-strazhey-v-nyu-yorke-rossiyanina-petrova",
    outlet("Rambler", "https://news.rambler.ua/", "", "other"),
    "Дипломаты России посетили находящегося под стражей в Нью-Йорке россиянина Петрова",
    True,
    None,
    "day",
    "ru",
    "Citing TASS: Russia's consul general in New York said diplomats had visited the Russian held there after his "
    "arrest in Cyprus at US request and his extradition; the US Justice Department had said he held Russian and "
    "German citizenship.",
    "Минюст США ранее рассказал, что на Кипре арестован Артур Петров, имеющий гражданства России и Германии.",
)
s_regnum_shalit = source(
    "https://regnum.ru/news/1456930.html",
    outlet("Regnum", "https://regnum.ru/", "RU", "independent"),
    "Report that Gilad Shalit was handed to the Israeli army in Egypt (Regnum)",
    False,
    None,
    "day",
    "ru",
    "The agency's correspondent in Israel: the soldier, taken by Palestinian militants in 2006, was handed over to "
    "the Israeli army on Egyptian territory, in exchange for 1,027 Palestinian prisoners under the Israel-Hamas deal.",
    "Военнослужащий израильской армии Гилад Шалит на территории Египта передан представителям Армии обороны Израиля.",
)
shalit = record("detainees.detainee", 29)  # his original-script name is Hebrew: the Russian one is an alias
if "Гилад Шалит" not in shalit["aliases"]:
    shalit["aliases"].append("Гилад Шалит")
cite("exchanges.exchange", 4, s_regnum_shalit)  # his case keeps its two reports (fourth pass)
for person, name, src in (
    (39, "Анна Чапман", s_inosmi),
    (49, "Сергей Скрипаль", s_inosmi),
    (33, "Ксения Карелина", s_usrusski),
    (30, "Марк Фогель", s_regnum),
    (35, "Александр Винник", s_regnum),
    (51, "Лоран Винатье", s_kommersant),
    (53, "Даниил Касаткин", s_kommersant),
    (66, "Эстон Кохвер", s_topnews),
    (67, "Алексей Дрессен", s_topnews),
    (60, "Фруде Берг", s_life),
    (61, "Евгений Матайтис", s_life),
    (62, "Аристидас Тамошайтис", s_fontanka),
    (31, "Гордон Блэк", s_focus),
    (96, "Виталий Шкляров", s_babel),
    (34, "Артур Петров", s_rambler),
):
    record("detainees.detainee", person)["name_original"] = name
    cite("detainees.detainee", person, src)

# An exchange's Russian name translates our own descriptive English one (not a fact from a report).
for eid, name_ru in {
    4: "Обмен заключёнными ради освобождения Гилада Шалита",
    5: "Обмен Карелина — Петров",
    6: "Обмен Фогель — Винник",
    8: "Обмен Винатье — Касаткин",
}.items():
    record("exchanges.exchange", eid)["name_ru"] = name_ru

header = {k: v for k, v in doc.items() if k != "records"}
out = json.dumps(header, ensure_ascii=False)[:-1] + ', "records": {'
parts = []
for label, rows in R.items():
    body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    parts.append(f'\n"{label}": [\n{body}]')
PATH.write_text(out + ",".join(parts) + "\n}}\n", encoding="utf-8")
