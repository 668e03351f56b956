"""The demo cases: the Griner–Bout and Reed–Yaroshenko exchanges, Paul Whelan's case, the 1 August 2024 Ankara
exchange, and Gilad Shalit's captivity by Hamas and the 2011 exchange that ended it, with the sources and
statements behind them.

Facts are summarised in our own words (a test checks that no run of eight words is copied from a seed); quotes
are at most one sentence of an official, as the seeds' README asks. The two seed articles (The Moscow Times,
December 2022; TASS, 17 August 2023) are recorded without a URL, because the copies we hold carry none, and with
`headline_on_file: False`, because they carry no headline either: their titles are our short descriptions.
Where a fact is not certain (an arrest date, a citizenship, a Wikidata id) it is left out rather than guessed;
the people of the Ankara exchange added only as participants have no detention on file for that reason.
"""

WIKI = "https://en.wikipedia.org/wiki/"

OUTLETS = [
    {"name": "The Moscow Times", "country": "NL", "kind": "independent", "website": "https://www.themoscowtimes.com/"},
    {"name": "RIA Novosti", "country": "RU", "kind": "state_media", "website": "https://ria.ru/"},
    {"name": "TASS", "country": "RU", "kind": "wire_agency", "website": "https://tass.com/"},
    {"name": "AFP", "country": "FR", "kind": "wire_agency", "website": "https://www.afp.com/"},
    {"name": "CNN", "country": "US", "kind": "broadcaster", "website": "https://www.cnn.com/"},
    {"name": "Wikipedia", "country": "", "kind": "other", "website": "https://www.wikipedia.org/"},
]

# key: (title, url, outlet, via, published_on, precision, language, summary)
SOURCES = {
    "mt-2022-12": {
        "title": "Vershinin on Russians held in the US; Putin on further exchanges",
        "headline_on_file": False,
        "url": "",
        "outlet": "The Moscow Times",
        "via": "RIA Novosti",
        "published_on": "2022-12-01",
        "published_on_precision": "month",
        "language": "en",
        "summary": (
            "Relaying an interview Sergei Vershinin gave RIA Novosti, the paper reports the deputy foreign "
            "minister's charge that Washington in effect keeps over sixty Russians hostage and bypasses the 1999 "
            "bilateral treaty on legal assistance in criminal cases. As background it recalls the December 2022 "
            "swap of Griner for Bout, Putin's 9 December remark leaving the door open to more swaps, Griner's "
            "nine-year term after her February detention at a Moscow airport, and Bout's capture in Thailand in "
            "2008, his extradition and his 25-year US sentence of 2012. AFP contributed."
        ),
    },
    "tass-2023-08-17": {
        "title": "Antonov on Russians in US prisons and the exchange channel",
        "headline_on_file": False,
        "url": "",
        "outlet": "TASS",
        "via": "",
        "published_on": "2023-08-17",
        "published_on_precision": "day",
        "language": "en",
        "summary": (
            "Writing on the embassy's Telegram channel, Ambassador Anatoly Antonov objects to US arrests of "
            "Russians in third countries, calls the return of every Russian jailed in America Moscow's top "
            "priority, and credits the channel the two presidents set up in 2021 with freeing Viktor Bout and "
            "Konstantin Yaroshenko. TASS adds CNN's account of Antony Blinken phoning Paul Whelan and Sergey "
            "Ryabkov's July remark that the swap channel still works."
        ),
    },
    "mt-2010-07-22": {
        "title": "Moscow Accuses U.S. of Kidnapping Pilot",
        "url": "https://www.themoscowtimes.com/2010/07/22/moscow-accuses-us-of-kidnapping-pilot-a51",
        "outlet": "The Moscow Times",
        "published_on": "2010-07-22",
        "language": "en",
        "summary": (
            "Russia's Foreign Ministry calls Konstantin Yaroshenko's removal from Liberia to New York a kidnapping. "
            "A DEA spokeswoman is reported as saying Liberian authorities detained him on 28 May 2010 and gave him "
            "to the DEA two days later on a New York federal court's warrant."
        ),
    },
    "wiki-griner": {
        "title": "Brittney Griner",
        "url": WIKI + "Brittney_Griner",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: arrest at Sheremetyevo, trial in Khimki, sentence, appeal, "
        "penal colony in Mordovia, exchange for Viktor Bout in Abu Dhabi.",
    },
    "wiki-bout": {
        "title": "Viktor Bout",
        "url": WIKI + "Viktor_Bout",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2008 sting in Bangkok, extradition in 2010, conviction in "
        "New York, 25-year sentence, release in the 2022 exchange.",
    },
    "wiki-reed": {
        "title": "Trevor Reed",
        "url": WIKI + "Trevor_Reed",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2019 arrest in Moscow, 2020 sentence, 2022 exchange.",
    },
    "wiki-yaroshenko": {
        "title": "Konstantin Yaroshenko",
        "url": WIKI + "Konstantin_Yaroshenko",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2010 arrest in Liberia, conviction in New York, 2022 exchange.",
    },
    "wiki-whelan": {
        "title": "Paul Whelan (security director)",
        "url": WIKI + "Paul_Whelan_(security_director)",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2018 arrest in Moscow, espionage conviction and 16-year "
        "sentence in 2020, release in the 2024 Ankara exchange.",
    },
    "wiki-ankara-2024": {
        "title": "2024 Ankara prisoner exchange",
        "url": WIKI + "2024_Ankara_prisoner_exchange",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: the exchange of 1 August 2024 in Ankara between Russia "
        "and Belarus on one side and the US, Germany and other states on the other.",
    },
    "wiki-gershkovich": {
        "title": "Evan Gershkovich",
        "url": WIKI + "Evan_Gershkovich",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2023 arrest in Yekaterinburg, espionage trial, release "
        "in the 2024 Ankara exchange.",
    },
    "wiki-kara-murza": {
        "title": "Vladimir Kara-Murza",
        "url": WIKI + "Vladimir_Kara-Murza",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2022 arrest, treason conviction in 2023, release in 2024.",
    },
    "wiki-shalit": {
        "title": "Gilad Shalit",
        "url": WIKI + "Gilad_Shalit",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: the Israeli soldier captured in a cross-border raid from Gaza in June "
        "2006, held by Hamas for more than five years, freed in October 2011 in exchange for Palestinian prisoners.",
    },
    "wiki-shalit-exchange": {
        "title": "Gilad Shalit prisoner exchange",
        "url": WIKI + "Gilad_Shalit_prisoner_exchange",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: the Egyptian-mediated deal under which Israel freed 1,027 prisoners, in "
        "two stages (October and December 2011), and Hamas freed Gilad Shalit.",
    },
    "wiki-krasikov": {
        "title": "Vadim Krasikov",
        "url": WIKI + "Vadim_Krasikov",
        "outlet": "Wikipedia",
        "summary": "Encyclopaedia article: 2019 killing in Berlin's Tiergarten, life sentence in "
        "2021, release to Russia in 2024.",
    },
}

# Every detention, charge, sentence, transfer and designation lists the sources (keys above) it rests on.
DETAINEES = [
    {
        "name": "Brittney Griner",
        "name_original": "Бриттни Грайнер",
        "aliases": ["Britney Griner"],
        "citizenships": ["US"],
        "born_on": "1990-10-18",
        "description": "basketball player (WNBA)",
        "sources": ["wiki-griner"],
        "detentions": [
            {
                "held_by": "RU",
                "detained_on": "2022-02-17",
                "place": "Sheremetyevo airport, Moscow",
                "circumstances": "airport customs search; vape cartridges with cannabis oil found in her luggage",
                "released_on": "2022-12-08",
                "end_reason": "exchanged",
                "sources": ["wiki-griner", "mt-2022-12"],
                "charges": [
                    {
                        "category": "drugs",
                        "statute": "Criminal Code art. 229.1",
                        "description": "Smuggling of narcotics (cannabis oil) in significant quantity.",
                        "outcome": "convicted",
                        "sources": ["wiki-griner", "mt-2022-12"],
                    },
                    {
                        "category": "drugs",
                        "statute": "Criminal Code art. 228",
                        "description": "Possession of narcotics (the same cannabis oil) in significant quantity.",
                        "outcome": "convicted",
                        "sources": ["wiki-griner"],
                    },
                ],
                "sentences": [
                    {
                        "court": "Khimki City Court",
                        "sentenced_on": "2022-08-04",
                        "term_months": 108,
                        "fine_amount": "1000000",
                        "fine_currency": "RUB",
                        "sources": ["wiki-griner", "mt-2022-12"],
                        "changes": [
                            {
                                "kind": "appeal_rejected",
                                "changed_on": "2022-10-25",
                                "court": "Moscow Regional Court",
                                "description": "The nine-year term was left unchanged.",
                                "sources": ["wiki-griner"],
                            }
                        ],
                    }
                ],
                "transfers": [
                    {
                        "moved_on": "2022-11-01",
                        "moved_on_precision": "month",
                        "facility_name": "Penal colony IK-2, Mordovia",
                        "facility_kind": "penal_colony",
                        "sources": ["wiki-griner"],
                    }
                ],
            }
        ],
        "designations": [
            {
                "authority": "US State Department",
                "authority_country": "US",
                "kind": "wrongfully_detained",
                "designated_on": "2022-05-01",
                "designated_on_precision": "month",
                "sources": ["wiki-griner"],
            }
        ],
    },
    {
        "name": "Viktor Bout",
        "name_original": "Виктор Бут",
        "aliases": ["Victor Bout", "Viktor Anatolyevich Bout", "Merchant of Death"],
        "citizenships": ["RU"],
        "born_on": "1967-01-13",
        "description": "arms dealer",
        "sources": ["wiki-bout"],
        "detentions": [
            {
                "held_by": "TH",
                "detained_on": "2008-03-06",
                "place": "Bangkok, Thailand",
                "circumstances": "US sting operation: DEA informants posing as buyers for the FARC",
                "released_on": "2010-11-16",
                "end_reason": "extradited",
                "sources": ["wiki-bout", "mt-2022-12"],
            },
            {
                "held_by": "US",
                "detained_on": "2010-11-16",
                "released_on": "2022-12-08",
                "end_reason": "exchanged",
                "sources": ["wiki-bout", "mt-2022-12"],
                "charges": [
                    {
                        "category": "violence",
                        "statute": "18 U.S.C. § 2332(b)",
                        "description": "Conspiracy to kill US nationals.",
                        "outcome": "convicted",
                        "sources": ["wiki-bout"],
                    },
                    {
                        "category": "violence",
                        "statute": "18 U.S.C. §§ 1114, 1117",
                        "description": "Conspiracy to kill US officers and employees.",
                        "outcome": "convicted",
                        "sources": ["wiki-bout"],
                    },
                    {
                        "category": "arms_trafficking",
                        "statute": "18 U.S.C. § 2332g",
                        "description": "Conspiracy to acquire and export anti-aircraft missiles.",
                        "outcome": "convicted",
                        "sources": ["wiki-bout"],
                    },
                    {
                        "category": "terrorism",
                        "statute": "18 U.S.C. § 2339B",
                        "description": "Conspiracy to provide material support to a terrorist organisation (FARC).",
                        "outcome": "convicted",
                        "sources": ["wiki-bout"],
                    },
                ],
                "sentences": [
                    {
                        "court": "US District Court for the Southern District of New York",
                        "sentenced_on": "2012-04-05",
                        "term_months": 300,
                        "all_charges": True,
                        "sources": ["wiki-bout", "mt-2022-12"],
                    }
                ],
            },
        ],
    },
    {
        "name": "Trevor Reed",
        "name_original": "Тревор Рид",
        "aliases": [],
        "citizenships": ["US"],
        "description": "former US Marine",
        "sources": ["wiki-reed"],
        "detentions": [
            {
                "held_by": "RU",
                "detained_on": "2019-08-01",
                "detained_on_precision": "month",
                "place": "Moscow",
                "circumstances": "arrested by police after a night out; accused of assaulting officers",
                "released_on": "2022-04-27",
                "end_reason": "exchanged",
                "sources": ["wiki-reed"],
                "charges": [
                    {
                        "category": "violence",
                        "statute": "Criminal Code art. 318",
                        "description": "Use of violence against police officers.",
                        "outcome": "convicted",
                        "sources": ["wiki-reed"],
                    }
                ],
                "sentences": [
                    {
                        "court": "Golovinsky District Court, Moscow",
                        "sentenced_on": "2020-07-01",
                        "sentenced_on_precision": "month",
                        "term_months": 108,
                        "all_charges": True,
                        "sources": ["wiki-reed"],
                    }
                ],
            }
        ],
    },
    {
        "name": "Konstantin Yaroshenko",
        "name_original": "Константин Ярошенко",
        "aliases": ["Konstantin Yaroshenko"],
        "citizenships": ["RU"],
        "description": "pilot",
        "sources": ["wiki-yaroshenko"],
        "detentions": [
            {
                "held_by": "LR",
                "detained_on": "2010-05-28",
                "place": "Monrovia, Liberia",
                "circumstances": "arrested by Liberian authorities in a US drug-enforcement operation",
                "released_on": "2010-05-30",
                "end_reason": "handed_over",
                "sources": ["wiki-yaroshenko", "mt-2010-07-22"],
            },
            {
                "held_by": "US",
                "detained_on": "2010-05-30",
                "released_on": "2022-04-27",
                "end_reason": "exchanged",
                "sources": ["wiki-yaroshenko", "mt-2010-07-22", "tass-2023-08-17"],
                "charges": [
                    {
                        "category": "drugs",
                        "statute": "21 U.S.C. § 963",
                        "description": "Conspiracy to smuggle cocaine into the United States.",
                        "outcome": "convicted",
                        "sources": ["wiki-yaroshenko"],
                    }
                ],
                "sentences": [
                    {
                        "court": "US District Court for the Southern District of New York",
                        "sentenced_on": "2011-01-01",
                        "sentenced_on_precision": "year",
                        "term_months": 240,
                        "all_charges": True,
                        "sources": ["wiki-yaroshenko"],
                    }
                ],
            },
        ],
    },
    {
        "name": "Paul Whelan",
        "name_original": "Пол Уилан",
        "aliases": [],
        "citizenships": ["US", "GB", "IE", "CA"],
        "born_on": "1970-03-05",
        "description": "former US Marine, corporate security director",
        "sources": ["wiki-whelan"],
        "detentions": [
            {
                "held_by": "RU",
                "detained_on": "2018-12-28",
                "place": "Metropol Hotel, Moscow",
                "circumstances": "arrested by the FSB in a hotel room, accused of receiving state secrets",
                "released_on": "2024-08-01",
                "end_reason": "exchanged",
                "sources": ["wiki-whelan", "tass-2023-08-17"],
                "charges": [
                    {
                        "category": "espionage",
                        "statute": "Criminal Code art. 276",
                        "charged_on": "2019-01-01",
                        "charged_on_precision": "month",
                        "description": "",
                        "outcome": "convicted",
                        "sources": ["wiki-whelan", "tass-2023-08-17"],
                    }
                ],
                "sentences": [
                    {
                        "court": "Moscow City Court",
                        "sentenced_on": "2020-06-15",
                        "term_months": 192,
                        "all_charges": True,
                        "sources": ["wiki-whelan"],
                    }
                ],
                "transfers": [
                    {
                        "moved_on": "2020-01-01",
                        "moved_on_precision": "year",
                        "facility_name": "Penal colony IK-17, Mordovia",
                        "facility_kind": "penal_colony",
                        "sources": ["wiki-whelan"],
                    }
                ],
            }
        ],
        "designations": [
            {
                # The date of the designation is not in our sources: left empty rather than guessed.
                "authority": "US State Department",
                "authority_country": "US",
                "kind": "wrongfully_detained",
                "sources": ["wiki-whelan"],
            }
        ],
    },
    {
        "name": "Evan Gershkovich",
        "name_original": "Эван Гершкович",
        "aliases": [],
        "citizenships": ["US"],
        "description": "Wall Street Journal reporter",
        "sources": ["wiki-gershkovich"],
        "detentions": [
            {
                "held_by": "RU",
                "detained_on": "2023-03-29",
                "place": "Yekaterinburg",
                "circumstances": "arrested by the FSB while on a reporting trip",
                "released_on": "2024-08-01",
                "end_reason": "exchanged",
                "sources": ["wiki-gershkovich"],
                "charges": [
                    {
                        "category": "espionage",
                        "statute": "Criminal Code art. 276",
                        "charged_on": "2023-04-01",
                        "charged_on_precision": "month",
                        "description": "",
                        "outcome": "convicted",
                        "sources": ["wiki-gershkovich"],
                    }
                ],
                "sentences": [
                    {
                        "court": "Sverdlovsk Regional Court",
                        "sentenced_on": "2024-07-19",
                        "term_months": 192,
                        "all_charges": True,
                        "sources": ["wiki-gershkovich"],
                    }
                ],
            }
        ],
        "designations": [
            {
                "authority": "US State Department",
                "authority_country": "US",
                "kind": "wrongfully_detained",
                "designated_on": "2023-04-01",
                "designated_on_precision": "month",
                "sources": ["wiki-gershkovich"],
            }
        ],
    },
    {
        "name": "Vladimir Kara-Murza",
        "name_original": "Владимир Кара-Мурза",
        "aliases": [],
        "citizenships": ["RU", "GB"],
        "description": "opposition politician and journalist",
        "sources": ["wiki-kara-murza"],
        "detentions": [
            {
                "held_by": "RU",
                "detained_on": "2022-04-11",
                "place": "Moscow",
                "circumstances": "arrested outside his home after criticising the war in Ukraine",
                "released_on": "2024-08-01",
                "end_reason": "exchanged",
                "sources": ["wiki-kara-murza"],
                "charges": [
                    {
                        "category": "political",
                        "statute": "Criminal Code art. 207.3",
                        "description": 'Spreading "knowingly false information" about the Russian armed forces.',
                        "outcome": "convicted",
                        "sources": ["wiki-kara-murza"],
                    },
                    {
                        "category": "political",
                        "statute": "Criminal Code art. 284.1",
                        "description": 'Taking part in the work of an "undesirable" organisation.',
                        "outcome": "convicted",
                        "sources": ["wiki-kara-murza"],
                    },
                    {
                        "category": "treason",
                        "statute": "Criminal Code art. 275",
                        "charged_on": "2022-10-01",
                        "charged_on_precision": "month",
                        "description": "High treason.",
                        "outcome": "convicted",
                        "sources": ["wiki-kara-murza"],
                    },
                ],
                "sentences": [
                    {
                        "court": "Moscow City Court",
                        "sentenced_on": "2023-04-17",
                        "term_months": 300,
                        "all_charges": True,
                        "sources": ["wiki-kara-murza"],
                    }
                ],
            }
        ],
        "designations": [
            {
                "authority": "Memorial",
                "authority_country": "RU",
                "kind": "political_prisoner",
                "designated_on": "2022-01-01",
                "designated_on_precision": "year",
                "sources": ["wiki-kara-murza"],
            }
        ],
    },
    {
        "name": "Vadim Krasikov",
        "name_original": "Вадим Красиков",
        "aliases": ["Vadim Sokolov"],
        "citizenships": ["RU"],
        "description": "convicted of a 2019 killing in Berlin",
        "sources": ["wiki-krasikov"],
        "detentions": [
            {
                "held_by": "DE",
                "detained_on": "2019-08-23",
                "place": "Berlin",
                "circumstances": "arrested near the scene of a shooting in the Kleiner Tiergarten",
                "released_on": "2024-08-01",
                "end_reason": "exchanged",
                "sources": ["wiki-krasikov"],
                "charges": [
                    {
                        "category": "violence",
                        "statute": "German Criminal Code § 211",
                        "description": "Murder.",
                        "outcome": "convicted",
                        "sources": ["wiki-krasikov"],
                    }
                ],
                "sentences": [
                    {
                        "court": "Berlin Higher Regional Court",
                        "sentenced_on": "2021-12-15",
                        "is_life": True,
                        "all_charges": True,
                        "sources": ["wiki-krasikov"],
                    }
                ],
            }
        ],
    },
]

# People of the 1 August 2024 Ankara exchange not otherwise on file: entered as participants only. Their arrest
# dates and further facts are not in our sources, so no detention is recorded for them (their pages say so);
# a citizenship or a description is given only where the cited article states it.
ANKARA_ONLY = [
    {"name": "Alsu Kurmasheva", "name_original": "Алсу Курмашева", "citizenships": ["US", "RU"],
     "description": "journalist (Radio Free Europe/Radio Liberty)"},
    {"name": "Ilya Yashin", "name_original": "Илья Яшин", "citizenships": ["RU"],
     "description": "opposition politician"},
    {"name": "Oleg Orlov", "name_original": "Олег Орлов", "citizenships": ["RU"],
     "description": "human rights defender (Memorial)"},
    {"name": "Andrei Pivovarov", "name_original": "Андрей Пивоваров", "aliases": ["Andrey Pivovarov"],
     "citizenships": ["RU"], "description": "opposition activist"},
    {"name": "Lilia Chanysheva", "name_original": "Лилия Чанышева", "citizenships": ["RU"],
     "description": "former head of Alexei Navalny's office in Ufa"},
    {"name": "Ksenia Fadeeva", "name_original": "Ксения Фадеева", "citizenships": ["RU"],
     "description": "former head of Alexei Navalny's office in Tomsk"},
    {"name": "Vadim Ostanin", "name_original": "Вадим Останин", "citizenships": ["RU"],
     "description": "former head of Alexei Navalny's office in Barnaul"},
    {"name": "Sasha Skochilenko", "name_original": "Саша Скочиленко", "aliases": ["Alexandra Skochilenko"],
     "citizenships": ["RU"], "description": "artist"},
    {"name": "Kevin Lik", "citizenships": ["DE", "RU"], "description": ""},
    {"name": "Dieter Voronin", "description": ""},
    {"name": "Patrick Schöbel", "aliases": ["Patrick Schoebel"], "citizenships": ["DE"], "description": ""},
    {"name": "German Moyzhes", "name_original": "Герман Мойжес", "description": ""},
    {"name": "Rico Krieger", "citizenships": ["DE"], "description": ""},
    {"name": "Vladislav Klyushin", "name_original": "Владислав Клюшин", "citizenships": ["RU"], "description": ""},
    {"name": "Vadim Konoshchenok", "name_original": "Вадим Конощенок", "citizenships": ["RU"], "description": ""},
    {"name": "Roman Seleznev", "name_original": "Роман Селезнёв", "citizenships": ["RU"], "description": ""},
    {"name": "Pavel Rubtsov", "name_original": "Павел Рубцов", "aliases": ["Pablo González"], "description": ""},
    {"name": "Mikhail Mikushin", "name_original": "Михаил Микушин", "citizenships": ["RU"], "description": ""},
    {"name": "Artem Dultsev", "name_original": "Артём Дульцев", "citizenships": ["RU"], "description": ""},
    {"name": "Anna Dultseva", "name_original": "Анна Дульцева", "citizenships": ["RU"], "description": ""},
]  # fmt: skip
DETAINEES += [dict(p, sources=["wiki-ankara-2024"]) for p in ANKARA_ONLY]

GROUPS = [
    {
        "name": "Hamas",
        "name_original": "حماس",
        "aliases": ["Harakat al-Muqawama al-Islamiya"],
        "kind": "armed_group",
        "country": "PS",
        "description": "Palestinian Islamist movement with an armed wing; it took control of the Gaza Strip in 2007.",
    },
]

DETAINEES += [
    {
        "name": "Gilad Shalit",
        "name_original": "גלעד שליט",
        "aliases": ["Guilad Shalit"],
        "citizenships": ["IL", "FR"],
        "description": "Israeli soldier",
        "sources": ["wiki-shalit"],
        "detentions": [
            {
                "held_by": "",
                "held_by_group": "Hamas",
                "detained_on": "2006-06-25",
                "place": "near Kerem Shalom, on the Gaza border",
                "circumstances": "captured in a cross-border raid by Gaza militants",
                "released_on": "2011-10-18",
                "end_reason": "exchanged",
                "sources": ["wiki-shalit", "wiki-shalit-exchange"],
            }
        ],
    },
]

EXCHANGES = [
    {
        "name": "Griner–Bout exchange",
        "date": "2022-12-08",
        "place": "Abu Dhabi airport",
        "place_country": "AE",
        "mediators": ["AE"],
        "status": "completed",
        "description": "Brittney Griner and Viktor Bout were exchanged on the tarmac in Abu Dhabi.",
        "sources": ["wiki-griner", "wiki-bout", "mt-2022-12"],
        "participants": [("Brittney Griner", "RU", "US"), ("Viktor Bout", "US", "RU")],
        "claims": [
            {
                "field": "mediators",
                "value": "AE, SA",
                "source": "wiki-griner",
                "note": "A joint statement of the United Arab Emirates and Saudi Arabia credited the mediation to "
                "the two countries' leaders.",
            },
            {
                "field": "mediators",
                "value": "none",
                "source": "wiki-griner",
                "note": "The US government said only the United States and Russia had negotiated the deal, and "
                "thanked the UAE for hosting the handover.",
            },
        ],
    },
    {
        "name": "Reed–Yaroshenko exchange",
        "date": "2022-04-27",
        "place": "Ankara",
        "place_country": "TR",
        "mediators": [],
        "status": "completed",
        "description": "Trevor Reed and Konstantin Yaroshenko were exchanged in Turkey.",
        "sources": ["wiki-reed", "wiki-yaroshenko", "tass-2023-08-17"],
        "participants": [("Trevor Reed", "RU", "US"), ("Konstantin Yaroshenko", "US", "RU")],
    },
    {
        "name": "2024 Ankara prisoner exchange",
        "date": "2024-08-01",
        "place": "Ankara Esenboğa Airport",
        "place_country": "TR",
        "mediators": ["TR"],
        "status": "completed",
        "description": "The largest East–West exchange since the Cold War: 24 prisoners, released by Russia and "
        "Belarus on one side and by the US, Germany, Poland, Slovenia and Norway on the other. Two children of "
        "Artem Dultsev and Anna Dultseva travelled to Russia with their parents; they were not prisoners.",
        "sources": ["wiki-ankara-2024"],
        "participants": [
            ("Evan Gershkovich", "RU", "US"),
            ("Paul Whelan", "RU", "US"),
            ("Alsu Kurmasheva", "RU", "US"),
            ("Vladimir Kara-Murza", "RU", "DE"),
            ("Ilya Yashin", "RU", "DE"),
            ("Oleg Orlov", "RU", "DE"),
            ("Andrei Pivovarov", "RU", "DE"),
            ("Lilia Chanysheva", "RU", "DE"),
            ("Ksenia Fadeeva", "RU", "DE"),
            ("Vadim Ostanin", "RU", "DE"),
            ("Sasha Skochilenko", "RU", "DE"),
            ("Kevin Lik", "RU", "DE"),
            ("Dieter Voronin", "RU", "DE"),
            ("Patrick Schöbel", "RU", "DE"),
            ("German Moyzhes", "RU", "DE"),
            ("Rico Krieger", "BY", "DE"),
            ("Vadim Krasikov", "DE", "RU"),
            ("Vladislav Klyushin", "US", "RU"),
            ("Vadim Konoshchenok", "US", "RU"),
            ("Roman Seleznev", "US", "RU"),
            ("Pavel Rubtsov", "PL", "RU"),
            ("Mikhail Mikushin", "NO", "RU"),
            ("Artem Dultsev", "SI", "RU", "Travelled with his wife and their two children."),
            ("Anna Dultseva", "SI", "RU", "Travelled with her husband and their two children."),
        ],
    },
    {
        "name": "Gilad Shalit prisoner exchange",
        "date": "2011-10-18",
        "place": "",
        "place_country": "",
        "mediators": ["EG"],
        "status": "completed",
        "description": "Hamas handed Gilad Shalit over through Egypt after more than five years in captivity; Israel "
        "freed 1,027 prisoners in two stages, the first on the day of his release and the second in December 2011.",
        "sources": ["wiki-shalit", "wiki-shalit-exchange"],
        "participants": [("Gilad Shalit", "group:Hamas", "IL")],
        "counts": [
            {
                "released_by": "IL",
                "received_by": "",
                "number": 1027,
                "description": "Palestinian and other prisoners, freed in two stages (October and December 2011)",
            },
        ],  # fmt: skip
    },
]

# Officials on file; statements name them as the source spelled them and link them here.
OFFICIALS = [
    {"name": "Sergei Vershinin", "name_original": "Сергей Вершинин", "aliases": ["Sergey Vershinin"],
     "country": "RU", "role": "Deputy Foreign Minister"},
    {"name": "Vladimir Putin", "name_original": "Владимир Путин", "aliases": [], "country": "RU",
     "role": "President"},
    {"name": "Anatoly Antonov", "name_original": "Анатолий Антонов", "aliases": ["Anatoliy Antonov"],
     "country": "RU", "role": "Ambassador to the United States"},
    {"name": "Antony Blinken", "aliases": [], "country": "US", "role": "Secretary of State"},
    {"name": "Sergei Ryabkov", "name_original": "Сергей Рябков", "aliases": ["Sergey Ryabkov"], "country": "RU",
     "role": "Deputy Foreign Minister"},
]  # fmt: skip

STATEMENTS = [
    {
        "speaker": "Sergei Vershinin",
        "official": "Sergei Vershinin",
        "speaker_role": "Deputy Foreign Minister",
        "speaker_country": "RU",
        "said_on": "2022-12-01",
        "said_on_precision": "month",
        "source": "mt-2022-12",
        "quote": "The total number of Russian citizens who have, in fact, been taken hostage, exceeds 60 people.",
        "exchanges": ["Griner–Bout exchange"],
        "detainees": [],
    },
    {
        "speaker": "Vladimir Putin",
        "official": "Vladimir Putin",
        "speaker_role": "President",
        "speaker_country": "RU",
        "said_on": "2022-12-09",
        "source": "mt-2022-12",
        "quote": "",
        "summary": "Asked whether more swaps could follow, answered that they could, as the fruit of negotiation and "
        "compromise, and that Russia would keep at it.",
        "exchanges": ["Griner–Bout exchange"],
        "detainees": ["Brittney Griner", "Viktor Bout"],
    },
    {
        "speaker": "Anatoly Antonov",
        "official": "Anatoly Antonov",
        "speaker_role": "Ambassador to the United States",
        "speaker_country": "RU",
        "said_on": "2023-08-17",
        "source": "tass-2023-08-17",
        "quote": "The special channel has already proven its effectiveness, making it possible to bring home "
        "[Viktor] Bout and [Konstantin] Yaroshenko.",
        "exchanges": ["Griner–Bout exchange", "Reed–Yaroshenko exchange"],
        "detainees": ["Viktor Bout", "Konstantin Yaroshenko"],
    },
    {
        "speaker": "Antony Blinken",
        "official": "Antony Blinken",
        "speaker_role": "Secretary of State",
        "speaker_country": "US",
        "said_on": "2023-08-01",
        "said_on_precision": "month",
        "source": "tass-2023-08-17",
        "summary": "Telephoned Paul Whelan to keep his hopes up and promised that Washington was working as hard as "
        "it could for his return (CNN's account, relayed by TASS).",
        "exchanges": [],
        "detainees": ["Paul Whelan"],
    },
    {
        "speaker": "Sergey Ryabkov",
        "official": "Sergei Ryabkov",
        "speaker_role": "Deputy Foreign Minister",
        "speaker_country": "RU",
        "said_on": "2023-07-01",
        "said_on_precision": "month",
        "source": "tass-2023-08-17",
        "summary": "Said the Russian–American line used to arrange prisoner swaps was still in place and in use.",
        "exchanges": [],
        "detainees": [],
    },
]
