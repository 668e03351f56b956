"""h38: custodies for people who had none on file, from reports read with the `search` tool (corpus pages).
Appends records at the end of each section with new ids; run once: python dataset/tools/h38_apply.py"""

import json
from pathlib import Path

PATH = Path(__file__).resolve().parents[1] / "starter.json"
doc = json.loads(PATH.read_text())
R = doc["records"]


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


def source(url, out, title, seen, published, precision, language, summary, text):
    for s in R["sources.source"]:
        if s["fields"]["url"] == url:
            return s["id"]
    sid = next_id("sources.source")
    R["sources.source"].append(
        {
            "fields": {
                "archive_url": "",
                "author": "",
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


def detention(
    person,
    sources,
    held_by="RU",
    group=None,
    on=None,
    on_p="day",
    place="",
    released=None,
    end="exchanged",
    circumstances="",
):
    assert not [x for x in R["detainees.detention"] if x["fields"]["detainee"] == person], person
    did = next_id("detainees.detention")
    R["detainees.detention"].append(
        {
            "fields": {
                "circumstances": circumstances,
                "detained_on": on,
                "detained_on_precision": on_p,
                "detainee": person,
                "end_reason": end if released else "",
                "held_by": held_by,
                "held_by_group": group,
                "last_confirmed_on": None,
                "last_confirmed_on_precision": "day",
                "place": place,
                "released_on": released,
                "released_on_precision": "day",
                "sources": sorted(sources),
            },
            "id": did,
        }
    )
    return did


def sentence(det, sources, months, on, on_p, court, city="", closed=False):
    sid = next_id("detainees.sentence")
    R["detainees.sentence"].append(
        {
            "fields": {
                "charges": [],
                "court": court,
                "court_city": city,
                "closed_trial": closed,
                "detention": det,
                "fine_amount": None,
                "fine_currency": "",
                "in_absentia": False,
                "is_death": False,
                "is_life": False,
                "is_suspended": False,
                "sentenced_on": on,
                "sentenced_on_precision": on_p,
                "sources": sorted(sources),
                "term_months": months,
            },
            "id": sid,
        }
    )


ANKARA, SAUDI, VIENNA, VILNIUS, PETROV = "2024-08-01", "2022-09-21", "2010-07-09", "2019-11-15", "2025-04-10"
DPR = 2

# --- sources read in this pass -------------------------------------------------------------------------------
guardian = outlet("The Guardian", "", "GB", "newspaper")
s_harding = source(
    "https://www.theguardian.com/world/2022/jul/17/british-man-john-harding-in-ukraine-believed-captured-by-russians-appeals-to-boris-johnson",
    guardian,
    "British man in Ukraine believed held by Russians appeals to Boris Johnson",
    True,
    "2022-07-17",
    "day",
    "en",
    "A video shows the Sunderland man, in his fifties, asking the prime minister for help while held by "
    "Russian forces; "
    "he is believed to have been taken in May with the Azov regiment when the defenders of Mariupol surrendered.",
    "Harding is believed to have been captured in May, while fighting with the Azov Regiment, part of the Ukrainian "
    "National Guard, defending the city of Mariupol before they were forced to surrender after sustained bombardment.",
)
s_harding2 = source(
    "https://hotlifestylenews.com/world-news/british-pow-credits-roman-abramovich-for-release-regrets-surrender-to-russian",
    outlet("Hot Lifestyle News", "https://hotlifestylenews.com/", "", "other"),
    "British POW credits Roman Abramovich for release, regrets surrender to Russian",
    True,
    None,
    "day",
    "en",
    "Copy of a report on Harding's return: captured in May when his unit surrendered after defending Mariupol, held in "
    "three jails of the self-proclaimed DPR, tried and threatened with death, freed late on a Wednesday with the other "
    "four Britons.",
    "Harding was captured in May when his unit was forced to surrender after defending the besieged city of Mariupol.\n"
    "He ended up being held in three different jails across the self-proclaimed separatist Donetsk People's Republic, "
    'including one known as "The Dark Side", he said.\nHarding was also put on trial and threatened with the death '
    "penalty.\n[...] He was eventually set free late on Wednesday alongside fellow Britons Shaun Pinner, Aiden Aslin, "
    "Dylan Healy and Andrew Hill",
)
s_hill = source(
    "https://ca.sports.yahoo.com/news/allegations-abuse-suicide-missions-leaders-060000373.html?src=rss",
    outlet("Yahoo News", "https://news.yahoo.com/", "US", "other"),
    "Report (syndicated) on why Andrew Hill was captured",
    False,
    None,
    "day",
    "en",
    "Soldiers of his former International Legion unit say the Plymouth volunteer, 35, was taken outside Mykolaiv in "
    "April after being sent to hold a position already abandoned; he was then on trial in a cage in Donetsk.",
    "Andrew Hill, 35, was detained outside Mykolaiv in April. He was paraded in a cage with two other British men, a "
    "Swede and a Croatian, at a show trial in rebel-held Donetsk this week.",
)
s_hill2 = source(
    "https://english.pravda.ru/news/hotspots/151567-interview_with_a_british_mercenary_who_fought/",
    outlet("Pravda.ru", "https://english.pravda.ru/", "RU", "state_media"),
    "Interview with a British mercenary who fought in Ukraine",
    True,
    "2022-04-29",
    "day",
    "en",
    "Relays the Russian defence ministry: Hill surrendered, wounded, to Russian troops in the Mykolaiv "
    "region after his "
    "group was defeated.",
    "Andrew Hill laid down his arms and surrendered to Russian servicemen in the Nikolayev region. The group of "
    'mercenaries, in which the Briton was fighting, was defeated and he was wounded," the Russian Defense '
    "Ministry said.",
)
s_gustafsson = source(
    "https://earthpressnews.com/threatened-with-the-death-penalty-the-swedes-words-before-the-court-in-donetsk/",
    outlet("Earth Press News", "https://earthpressnews.com/", "", "other"),
    "Threatened with the death penalty, the Swede's words before the court in Donetsk",
    True,
    None,
    "day",
    "en",
    "Translated Swedish report: the Swede on trial in Donetsk since 15 August, accused of being a mercenary, had been "
    "taken prisoner at Mariupol's Azovstal works; no capture date is given.",
    "The Swede was captured at the Azovstal steel plant in Mariupol, Ukraine. On August 15, the trial began in the "
    "Supreme Court in Donetsk. The Swede is accused of being a mercenary, a crime that can carry the death penalty in "
    "the separatist Donetsk Republic.",
)
s_prebeg = source(
    "https://www.total-croatia-news.com/politics/64896-vjekoslav-prebeg",
    outlet("Total Croatia News", "https://www.total-croatia-news.com/", "HR", "other"),
    "Foreign Ministry Condemns Indictment against Croat in Donetsk",
    True,
    "2022-08-10",
    "day",
    "en",
    "Croatia's foreign ministry rejected the DPR's indictment of Prebeg, held in Donetsk; Croatian media say he was "
    "arrested in May near Mariupol.",
    "Croatia strongly condemns an indictment against Croatian national Vjekoslav Prebeg, who has been detained in the "
    "self-proclaimed republic of Donetsk [...] According to Croatian media, Prebeg was arrested in May near Mariupol.",
)
s_prebeg2 = source(
    "https://hercegovina.info/amp/vijesti/zelenski-odlikovao-hrvata-ovo-je-za-nesebicnost-i-hrabrost-u-obrani-ukrajine/208197",
    outlet("Hercegovina.info", "https://hercegovina.info/", "BA", "other"),
    "ZELENSKI ODLIKOVAO HRVATA 'Ovo je za nesebičnost i hrabrost u obrani Ukrajine...'",
    True,
    None,
    "day",
    "hr",
    "Croatian-language report of Prebeg's Ukrainian decoration after his release: it says Russians captured him in "
    "April near Mariupol and that he spent 151 days in Russian captivity.",
    "Hrvatski državljanin Vjekoslav Prebeg, kojeg su u travnju u Ukrajini zarobili Rusi, a oslobođen je u razmjeni "
    "zatvorenika [...] U ruskom zarobljeništvu proveo je 151 dan.",
)
mt = outlet("The Moscow Times", "https://www.themoscowtimes.com/", "NL", "independent")
s_mataitis = source(
    "https://www.themoscowtimes.com/2015/06/25/russian-court-arrests-suspected-lithuanian-spy-interfax-a47698",
    mt,
    "Russian Court Arrests Suspected Lithuanian Spy – Interfax",
    True,
    "2015-06-25",
    "day",
    "en",
    "Citing Interfax, a court spokeswoman named the dual Russian-Lithuanian citizen Mataytis as arrested on suspicion "
    "of espionage on a Thursday, to be held for two months.",
    "Russia arrested a suspected Lithuanian spy on Thursday, a court spokeswoman said [...] Court spokeswoman Yulia "
    "Skotnikova named the suspected spy as Yevgeny Mataytis, a citizen of both Russia and Lithuania. [...] Mataytis "
    "will be detained for two months, Skotnikova said.",
)
s_lrt = source(
    "https://www.lrt.lt/en/news-in-english/19/1116279/lithuania-and-russia-conduct-unprecedented-spy-swap",
    outlet("LRT", "https://www.lrt.lt/", "LT", "broadcaster"),
    "Lithuania and Russia conduct unprecedented spy swap",
    True,
    "2019-11-15",
    "day",
    "en",
    "BNS: Mataitis and Tamošaitis, jailed in Russia in 2016 (twelve years from a Moscow court and thirteen from a "
    "Kaliningrad court respectively), were returned to Lithuania on 15 November 2019 in exchange for two pardoned "
    "Russians.",
    '"Two Lithuanian citizens, Yevgeny Mataitis and Aristidas Tamošaitis, have been returned to Lithuania [...]"\n'
    "Mataitis and Tamošaitis were convicted of spying for Lithuania and jailed in Russia in 2016.\nTamošaitis was "
    "sentenced to 12 years in prison by a Moscow court. A court in Kaliningrad handed a 13-year prison sentence to "
    "Mataitis, a dual Lithuanian-Russian citizen.",
)
s_tamo = source(
    "https://lithuaniatribune.com/russia-claims-to-have-caught-lithuanian-spy/",
    outlet("The Lithuania Tribune", "https://lithuaniatribune.com/", "LT", "other"),
    "Russia claims to have caught Lithuanian spy",
    True,
    None,
    "day",
    "en",
    "The FSB said it detained a Lithuanian in Moscow on 19 May as he received classified documents and held him at "
    "Lefortovo; a Lefortovo district court then ordered two months' arrest of Aristidas Tamošaitis.",
    '"On 19 May, the Russian FSB in Moscow detained a Lithuanian citizen [...]" According to the press release, the '
    "Lithuanian citizen is currently held in custody at the Lefertov detention centre in Moscow. [...] A court in "
    "Moscow's Lefortovo District later sanctioned the arrest of the Lithuanian citizen, identified as Aristidas "
    "Tamošaitis, for two months.",
)
s_tamo2 = source(
    "https://www.lzinios.lt/amp/lietuva/maskvoje-del-snipinejimo-sulaikytas-a-tamosaitis-lieka-suimtas/205860",
    outlet("Lietuvos žinios", "https://www.lzinios.lt/", "LT", "newspaper"),
    "Maskvoje dėl šnipinėjimo sulaikytas A. Tamošaitis lieka suimtas",
    True,
    None,
    "day",
    "lt",
    "Lithuanian report: Moscow's Lefortovo court extended Tamošaitis's arrest to 20 September; the FSB had announced "
    "on 20 May that it had detained him the day before.",
    "Rusijos Federalinė saugumo tarnyba (FSB) gegužės 20-ąją pranešė išvakarėse Maskvoje su įrodymais sulaikiusi "
    "Lietuvos žvalgybininką [...] A. Tamošaičio advokatas [...] informavo, kad jo ginamasis lieka suimtas iki rugsėjo "
    "20-osios.",
)
s_skripal = source(
    "https://www.dailymail.co.uk/news/article-399774/Russian-colonel-imprisoned-spying-Britain.html",
    outlet("Daily Mail", "http://www.dailymail.co.uk/", "GB", "newspaper"),
    "Russian colonel imprisoned after 'spying for Britain'",
    True,
    "2006-08-09",
    "day",
    "en",
    "A Moscow military court gave the retired colonel 13 years for passing state secrets to MI6; Izvestia said he had "
    "been detained in December 2004.",
    "A retired Russian colonel has been sentenced to 13 years imprisonment after spying for Britain [...] Sergei "
    "Skripal was found guilty by a military court in Moscow [...] He was detained in December 2004, according to "
    "Izvestia.",
)
s_skripal2 = source(
    "http://oldtmt.vedomosti.ru/sitemap/free/2006/8/article/colonel-convicted-of-spying-for-mi6/203226.html",
    mt,
    "Colonel Convicted of Spying for MI6",
    True,
    None,
    "day",
    "en",
    "Moscow Times archive: the Moscow District Military Court sentenced Skripal to 13 years on a Wednesday after a "
    "hearing behind closed doors; he had pleaded guilty.",
    "A Moscow district military court Wednesday sentenced a retired intelligence officer to 13 years in prison on "
    "charges of spying for Britain. [...] in a hearing held behind closed doors because of the top-secret nature of "
    "the proceedings, Moscow District Military Court spokesman Alexander Minchanovsky said.",
)
s_sutyagin = source(
    "https://www.expatica.com/ru/general/russia-arms-control-expert-at-centre-of-us-spy-swap-97765/",
    outlet("Expatica", "https://www.expatica.com/", "NL", "other"),
    "Russia arms control expert at centre of US 'spy swap'",
    True,
    None,
    "day",
    "en",
    "Profile written before the 2010 swap: Sutyagin was first held in October 1999, in Obninsk, charged "
    "with treason that November and convicted in 2004 (15 years).",
    "Sutyagin was first detained in October 1999 in his home town of Obninsk in the Kaluga region, about 100 "
    "kilometres (60 miles) from Moscow, and questioned by security services.\nHe was charged in November that year "
    "with treason [...] he was not convicted until 2004",
)
s_yashin = source(
    "https://pledgetimes.com/russian-opposition-leader-sentenced-to-eight-years-in-prison-for-saying-the-bucha-massacre-was-real/",
    outlet("Pledge Times", "https://pledgetimes.com/", "", "other"),
    "Report on Ilya Yashin's sentence of eight and a half years",
    False,
    "2022-12-09",
    "day",
    "en",
    'Moscow\'s Meshchansky court gave Yashin eight and a half years for "false information" about the army over his '
    "Bucha video; the criminal case followed 15 days of administrative detention.",
    "A Moscow court sentenced former councilor and opposition leader Ilia Yashin to eight and a half years in prison "
    'this Friday for "spreading false information" [...] The process against him began when he had already served '
    "15 days in administrative detention [...] the Meshchansky sentenced Yashin under that article.",
)
s_yashin2 = source(
    "https://comandodanoticia.com.br/noticia/4622/opositor-russo-ilya-yashin-e-sentenciado-a-8-5-anos-de-prisao-por-divulgacao-de-informacoes-falsas.html",
    outlet("Comando da Notícia", "https://comandodanoticia.com.br/", "BR", "other"),
    "Report (in Portuguese) on Ilya Yashin's sentence of eight and a half years",
    False,
    None,
    "day",
    "pt",
    'Portuguese report: Yashin had been held in pre-trial custody since July, after a 15-day term for "disobedience" '
    "imposed on 28 June.",
    "Ilya Yashin já havia sido preso preventivamente em julho. Em 28 de junho, o parlamentar já havia sido condenado "
    'a 15 dias de prisão por "desobediência à autoridade", acusação que sempre rejeitou.',
)
meduza = outlet("Meduza", "https://meduza.io/", "LV", "independent")
s_orlov = source(
    "https://meduza.io/en/feature/2024/02/28/in-a-four-day-trial-here-s-how-russia-sentenced-leading-human-rights-oleg-orlov-activist-to-2-5-years-in-prison-for-writing-that-the-putin-regime-has-become-fascist",
    meduza,
    "In a four-day trial, here's how Russia sentenced leading human rights activist Oleg Orlov to 2.5 years "
    "in prison for writing that the Putin regime has become fascist",
    True,
    "2024-02-28",
    "day",
    "en",
    "Mediazona's account of the retrial: Orlov, first fined, was given two and a half years and led away by police "
    "after his closing statement (photo caption: court in Moscow, 27 February 2024).",
    "Long-time human rights activist Oleg Orlov is going to prison for the next two and a half years, following a "
    "retrial that raised his punishment from a 150,000-ruble fine to incarceration. [...] Orlov [...] was sentenced "
    "after making a brief closing statement and then whisked away by a phalanx of masked police officers.",
)
s_orlov2 = source(
    "http://eng.kavkaz-uzel.eu/articles/64065",
    outlet("Caucasian Knot", "http://eng.kavkaz-uzel.eu/", "RU", "independent"),
    "Rights defender Oleg Orlov* sentenced to 2.5 years in jail",
    True,
    "2024-02-27",
    "day",
    "en",
    "Moscow's Golovinsky court sentenced Orlov to two and a half years for discrediting the army.",
    "The court has sentenced Oleg Orlov*, a human rights defender, to 2.5 years of freedom deprivation, finding him "
    "guilty of discrediting the Russian Army. Dozens of people came to the Golovinsky Court in Moscow on the "
    "day of the "
    "announcing the verdict.",
)
s_orlov3 = source(
    "https://frontlinedefenders.org/en/case/oleg-orlov-released-part-prisoner-exchange",
    outlet("Front Line Defenders", "https://frontlinedefenders.org/", "IE", "ngo"),
    "Oleg Orlov released as part of a prisoner exchange",
    True,
    None,
    "day",
    "en",
    "Case page: Orlov was released on 1 August 2024 from pre-trial detention centre No. 1 in Samara in the exchange; "
    "the Moscow City Court had upheld his term on 11 July.",
    "On 1 August 2024, prominent human rights defender [...] Oleg Orlov was released from the Pre-Trial Detention "
    "Center #1 in Samara, Russian Federation as part of a significant prisoner exchange with Germany, Norway, Poland, "
    "Slovenia and the US.",
)
s_pivo = source(
    "https://www.aljazeera.com/news/2021/6/1/russia-arrests-activist-raids-homes-of-kremlin-critics",
    outlet("Al Jazeera", "https://www.aljazeera.com/", "QA", "broadcaster"),
    "Andrei Pivovarov: Kremlin critic pulled off plane, arrested",
    True,
    "2021-06-01",
    "day",
    "en",
    "The head of the dissolved Open Russia was taken off a Warsaw-bound LOT plane at St Petersburg's airport late on a "
    'Monday and a criminal case on "undesirable organisations" was opened.',
    "Andrei Pivovarov, the head of the Open Russia movement, was pulled off a Warsaw-bound plane at St Petersburg's "
    "airport just before takeoff late on Monday.",
)
s_pivo2 = source(
    "https://mediateka.online/learnrussian/the-plane-was-about-to-take-off-former-open-russia-director-andrey-pivovarov-under-investigation-following-arrest-at-st-petersburg-airport.html",
    outlet("Mediateka (copy of Meduza)", "https://mediateka.online/", "", "other"),
    "'The plane was about to take off' Former Open Russia director Andrey Pivovarov under investigation following "
    "arrest at St. Petersburg airport",
    True,
    None,
    "day",
    "en",
    "Copy of Meduza's report: officers boarded the plane at Pulkovo on 31 May and arrested Pivovarov.",
    "On May 31, law enforcement officers in St. Petersburg boarded a plane just before takeoff and arrested Andrey "
    "Pivovarov, the former executive director of the nonprofit organization Open Russia",
)
s_chan = source(
    "https://meduza.io/en/news/2021/11/09/activist-arrested-in-ufa-as-first-suspect-in-extremism-case-against-alexey-navalny",
    meduza,
    "Activist arrested in Ufa as first suspect in extremism case against Alexey Navalny",
    True,
    "2021-11-09",
    "day",
    "en",
    "Police in Ufa arrested the former head of Navalny's Bashkiria office on 9 November 2021 on suspicion of creating "
    "an extremist group.",
    "On Tuesday, November 9, Russian law enforcement in Ufa arrested Liliya Chanysheva, the former head of Alexey "
    "Navalny's regional campaign office in Bashkiria.",
)
s_fad = source(
    "https://www.ecoi.net/dokument/2102713",
    outlet("RFE/RL", "https://www.rferl.org/", "CZ", "broadcaster"),
    "Siberian Lawmaker, Former Navalny Associate Sentenced To 9 Years In Prison",
    True,
    None,
    "day",
    "en",
    "RFE/RL (copy on ecoi.net): a Tomsk court gave Fadeyeva nine years on 29 December; detained in December 2021, she "
    "was released, later put under house arrest and in November sent to a detention centre.",
    "Judge Dmitry Khudyakov of the Soviet district court handed down his decision on December 29 [...] Fadeyeva was "
    "detained in December 2021. She was later released but barred from using the Internet [...] She was then placed "
    "under house arrest and in November put in a detention center for what investigators said was a violation of "
    "house-arrest conditions.",
)
s_fad2 = source(
    "https://www.themoscowtimes.com/2023/12/29/navalny-ally-fadeyeva-jailed-9-years-for-extremism-a83603",
    mt,
    "Navalny Ally Fadeyeva Sentenced to 9 Years for 'Extremism'",
    True,
    "2023-12-29",
    "day",
    "en",
    "Tomsk's Sovetsky court sentenced Fadeyeva to nine years in a closed trial; the same report says Chanysheva got "
    "seven and a half years in June.",
    "Tomsk's Sovetsky Court found Fadeyeva guilty and handed her a nine-year sentence in a prison colony. [...] "
    "Fadeyeva's trial was closed to the media and the public. [...] Lilia Chanysheva, was sentenced to 7.5 years in a "
    "penal colony in June on the same charges.",
)
s_fad3 = source(
    "https://plugin-frontend.meduza.io/en/feature/2023/12/29/russia-gives-nine-year-prison-sentence-to-former-lawmaker-ksenia-fadeyeva-one-of-few-navalny-associates-who-stayed-in-the-country",
    meduza,
    "Russia gives nine-year prison sentence to former lawmaker Ksenia Fadeyeva, one of few Navalny associates "
    "who stayed in the country",
    True,
    "2023-12-29",
    "day",
    "en",
    "Profile written on the sentence, with an update saying she was released on 1 August in the exchange.",
    "Update: Ksenia Fadeyeva was released on August 1, as part of a historic prisoner exchange between Russia and "
    "Western countries.",
)
s_ost = source(
    "https://theins.ru/en/news/268008",
    outlet("The Insider", "https://theins.ru/", "LV", "independent"),
    "Former chief of Navalny's Tomsk HQ Ksenia Fadeeva sentenced to 9 years in prison",
    True,
    None,
    "day",
    "en",
    "On Fadeeva's sentence; lists the other Navalny-office cases, among them Chanysheva's seven and a half years in "
    "Ufa and Vadim Ostanin's nine years in Barnaul, all heard in closed court.",
    "Sentences for cooperating with Navalny have been passed in Lilia Chanysheva's case in Ufa (7.5 years in a penal "
    "colony), Vadim Ostanin's case in Barnaul (nine years) [...] All of the cases were heard in a closed court.",
)
s_skoch = source(
    "https://www.moneycontrol.com/news/trends/current-affairs-trends/russian-artist-faces-10-years-jail-for-swapping-grocery-store-price-tags-with-info-on-mariupol-attacks-8369371.html",
    outlet("Moneycontrol", "https://www.moneycontrol.com/", "IN", "other"),
    "Russian artist faces 10 years' jail for swapping grocery store price tags with info on Mariupol attacks",
    True,
    "2022-04-17",
    "day",
    "en",
    "Citing Amnesty International: Skochilenko was detained on 11 April and a St Petersburg court put her in "
    "pre-trial detention until June.",
    "She was detained on April 11 and a St Petersburg court confined her to pre-trial detention until June, human "
    "rights charity Amnesty International said.",
)
s_skoch2 = source(
    "https://humanrights-online.org/russia-7-years-in-prison-for-anti-war-stickers/",
    outlet("Humanrights-online.org", "https://humanrights-online.org/", "", "ngo"),
    "Artist Sasha Skochilenko sentenced to 7 years in prison for anti-war stickers",
    True,
    None,
    "day",
    "en",
    "St Petersburg's Vasileostrovsky District Court sentenced Skochilenko to seven years on 16 November 2023; in "
    "custody since April 2022.",
    "On November 16, 2023, the Vasileostrovsky District Court of St. Petersburg sentenced Sasha Skochilenko [...] to "
    "7 years in prison. [...] The St. Petersburg artist has been in custody since April 2022.",
)

s_itv = source(
    "https://www.itv.com/news/2018-03-06/who-is-the-russian-ex-spy-sergei-skripal",
    outlet("ITV News", "https://www.itv.com/news", "GB", "broadcaster"),
    "Who is former Russian spy Sergei Skripal?",
    True,
    "2018-03-06",
    "day",
    "en",
    "Profile after the Salisbury poisoning: once arrested in Moscow in 2004, Skripal owned up to having served the "
    "British services from 1995; he got 13 years and was pardoned in 2010 for the Vienna swap.",
    "However, he admitted working for British intelligence since 1995 after being arrested in Moscow in 2004.",
)

# --- custodies ---------------------------------------------------------------------------------------------
d = detention(
    20,
    [307, 97],
    on="2024-05-01",
    on_p="month",
    place="St Petersburg",
    released=ANKARA,
    circumstances="arrested in late May 2024; moved from a St Petersburg detention centre to Lefortovo, "
    "Moscow, on a treason charge",
)
d = detention(
    72,
    [s_harding, s_harding2, 134],
    held_by="",
    group=DPR,
    on="2022-05-01",
    on_p="month",
    place="Mariupol, Ukraine",
    released=SAUDI,
    circumstances="captured when the Ukrainian units defending Mariupol surrendered; held in three jails "
    "of the self-proclaimed DPR",
)
d = detention(
    74,
    [s_hill, s_hill2, 134],
    held_by="",
    group=DPR,
    on="2022-04-01",
    on_p="month",
    place="near Mykolaiv, Ukraine",
    released=SAUDI,
    circumstances="wounded and taken by Russian troops near Mykolaiv (the Russian defence ministry says he "
    "surrendered); tried in Donetsk",
)
d = detention(
    75,
    [s_gustafsson, 136],
    held_by="",
    group=DPR,
    place="Azovstal steel plant, Mariupol, Ukraine",
    released=SAUDI,
    circumstances="captured at the Azovstal plant; no report read dates the capture; tried "
    "in Donetsk from 15 August 2022",
)
d = detention(
    76,
    [s_prebeg, s_prebeg2, 136],
    held_by="",
    group=DPR,
    on="2022-05-01",
    on_p="month",
    place="near Mariupol, Ukraine",
    released=SAUDI,
    circumstances="captured after leaving Mariupol; May per Croatian media relayed by Total Croatia News, "
    "April per Hercegovina.info (after 151 days in captivity)",
)
d = detention(
    61,
    [s_mataitis, s_lrt],
    on="2015-06-01",
    on_p="month",
    released=VILNIUS,
    circumstances="a court ordered his arrest on suspicion of espionage, reported on 25 June 2015",
)
sentence(d, [s_lrt], 156, "2016-01-01", "year", "", city="Kaliningrad")
d = detention(
    62,
    [s_tamo, s_tamo2, s_lrt],
    on="2015-05-19",
    place="Moscow",
    released=VILNIUS,
    circumstances="detained by the FSB as he received classified documents; held at Lefortovo",
)
sentence(d, [s_lrt], 144, "2016-01-01", "year", "", city="Moscow")
d = detention(
    64,
    [106, 108],
    held_by="LT",
    released=VILNIUS,
    circumstances="jailed in Lithuania for spying for Russia; no report read dates his arrest; pardoned by "
    "President Nausėda on the morning of the exchange",
)
d = detention(
    49,
    [s_skripal, s_itv, 54, 57],
    on="2004-12-01",
    on_p="month",
    place="Moscow",
    released=VIENNA,
    circumstances="detained in December 2004, per Izvestia; convicted of high treason in the form of espionage",
)
sentence(
    d, [s_skripal, s_skripal2], 156, "2006-08-01", "month", "Moscow District Military Court", city="Moscow", closed=True
)
d = detention(
    50,
    [s_sutyagin, 54, 56],
    on="1999-10-01",
    on_p="month",
    place="Obninsk, Kaluga region",
    released=VIENNA,
    circumstances="first detained in October 1999 and questioned; charged with treason in "
    "November 1999; convicted in 2004",
)
d = detention(
    10,
    [s_yashin, s_yashin2, 21],
    on="2022-06-28",
    place="Moscow",
    released=ANKARA,
    circumstances="given 15 days' administrative arrest on 28 June 2022, then held on the criminal charge",
)
sentence(d, [s_yashin], 102, "2022-12-09", "day", "Meshchansky District Court", city="Moscow")
d = detention(
    11,
    [s_orlov, s_orlov2, s_orlov3],
    on="2024-02-27",
    place="Moscow",
    released=ANKARA,
    circumstances="taken into custody in court on being sentenced; freed from SIZO-1 in Samara",
)
sentence(d, [s_orlov, s_orlov2], 30, "2024-02-27", "day", "Golovinsky District Court", city="Moscow")
d = detention(
    12,
    [s_pivo, s_pivo2, 95],
    on="2021-05-31",
    place="Pulkovo airport, St Petersburg",
    released=ANKARA,
    circumstances='taken off a Warsaw-bound plane before take-off; a case over an "undesirable '
    'organisation" was opened in Krasnodar',
)
d = detention(
    13,
    [s_chan, 95],
    on="2021-11-09",
    place="Ufa",
    released=ANKARA,
    circumstances="arrested after a search of her home on suspicion of creating an extremist group",
)
sentence(d, [s_fad2, s_ost], 90, "2023-06-01", "month", "", city="Ufa", closed=True)
d = detention(
    14,
    [s_fad, s_fad3],
    on="2023-11-01",
    on_p="month",
    place="Tomsk",
    released=ANKARA,
    circumstances="sent from house arrest to a detention centre for an alleged breach of its conditions "
    "(her first detention, of December 2021, ended in release on undated restrictions and is not entered)",
)
sentence(d, [s_fad, s_fad2], 108, "2023-12-29", "day", "Sovetsky District Court", city="Tomsk", closed=True)
d = detention(
    15,
    [s_ost, 95],
    released=ANKARA,
    circumstances="sentenced to nine years in Barnaul; no report read dates his arrest",
)
d = detention(
    16,
    [s_skoch, s_skoch2, 96],
    on="2022-04-11",
    place="St Petersburg",
    released=ANKARA,
    circumstances="detained over anti-war labels put in place of supermarket price tags",
)
sentence(d, [s_skoch2], 84, "2023-11-16", "day", "Vasileostrovsky District Court", city="St Petersburg")
for person in (22, 23, 24):
    detention(
        person,
        [95],
        held_by="US",
        released=ANKARA,
        circumstances="serving a US sentence; no report read dates the arrest",
    )
detention(
    25,
    [95, 98],
    held_by="PL",
    on="2022-01-01",
    on_p="year",
    released=ANKARA,
    circumstances="arrested by Poland as a Russian agent days after the 2022 invasion of Ukraine",
)
detention(
    26,
    [95, 98],
    held_by="NO",
    on="2022-01-01",
    on_p="year",
    released=ANKARA,
    circumstances="arrested by Norway in 2022",
)
for person in (27, 28):
    detention(
        person,
        [95, 98],
        held_by="SI",
        released=ANKARA,
        circumstances="pleaded guilty to espionage and pardoned by Slovenia; no report read dates the arrest",
    )
detention(
    34,
    [23, 24],
    held_by="US",
    released=PETROV,
    circumstances="arrested in Cyprus in 2023 at US request and extradited to the US; the date of the "
    "extradition, when US custody began, is not in the reports read",
)

s_vinnik = source(
    "https://thecoinacademy.co/news/btc-e-former-operator-to-be-released-in-prisoner-exchange-between-us-and-russia",
    outlet("The Coin Academy", "https://thecoinacademy.co/", "FR", "other"),
    "BTC-e Former Operator to be Released in Prisoner Exchange between US and Russia",
    True,
    None,
    "day",
    "en",
    "Relaying the Wall Street Journal of 12 February: Vinnik, extradited from Greece to the US in August 2022 and "
    "guilty of money laundering by his plea of May 2024, was to be released in exchange for Marc Fogel.",
    "Vinnik, extradited from Greece to the United States in August 2022, pleaded guilty in May 2024 to money "
    "laundering and conspiracy charges",
)
s_vinnik2 = source(
    "https://benzinga.com/markets/cryptocurrency/25/02/43674050/us-releases-russian-bitcoin-exchange-co-founder-alexander-vinnik-in-prisoner-deal-with-moscow",
    outlet("Benzinga", "https://www.benzinga.com/", "US", "other"),
    "Report on the US release of Alexander Vinnik in a deal with Moscow",
    False,
    "2025-02-01",
    "month",
    "en",
    "Citing the Wall Street Journal: the US released Vinnik, held in California, after Fogel's return; he had spent "
    "five years in Greek and French custody after his 2017 arrest before his extradition to the US in 2022.",
    "The United States has released Alexander Vinnik [...] Vinnik, who had been in U.S. custody in California, is now "
    "being transferred to Russia. [...] Before his extradition to the U.S. in 2022, Vinnik was detained for five "
    "years in Greece and France following his 2017 arrest.",
)
d = detention(
    35,
    [s_vinnik, s_vinnik2, 37],
    held_by="US",
    on="2022-08-01",
    on_p="month",
    place="California",
    released="2025-02-01",
    circumstances="extradited from Greece to the US in August 2022; released in "
    "February 2025 (the day is not in the reports read); his Greek and French custody from 2017 is not entered",
)
R["detainees.detention"][-1]["fields"]["released_on_precision"] = "month"

header = {k: v for k, v in doc.items() if k != "records"}
out = json.dumps(header, ensure_ascii=False)[:-1] + ', "records": {'
parts = []
for label, rows in R.items():
    body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    parts.append(f'\n"{label}": [\n{body}]')
PATH.write_text(out + ",".join(parts) + "\n}}\n", encoding="utf-8")
