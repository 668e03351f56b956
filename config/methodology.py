"""The methodology page's vocabulary, made from the models' own choices and help texts.

Each entry names a model field; the page shows the field's help text and, for every choice the field allows, its
label, its value (as the API writes it) and what it means here. The words for each choice are written once, below;
the labels and values come from the models, so a renamed label changes the page, and a choice added to a model
without a meaning here fails `tests/site/test_methodology.py` (which walks every field with choices).
"""

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from common.models import DatePrecision


@dataclass
class Entry:
    """One field of the vocabulary: its title on the page, the model field, and what each choice means."""

    title: str
    field: str  # "app_label.Model.field"
    meanings: dict[str, str]
    choices: list | None = None  # for a vocabulary that is no model field (a filter's choices)

    @property
    def model_field(self):
        if self.choices is not None:
            return None
        app_model, name = self.field.rsplit(".", 1)
        return apps.get_model(app_model)._meta.get_field(name)

    @property
    def slug(self) -> str:
        if self.choices is not None:
            return self.field
        model, name = self.field.split(".")[1:]
        return f"{model.lower()}-{name}"

    def rows(self) -> list[dict]:
        choices = self.choices if self.choices is not None else self.model_field.choices
        return [{"value": value, "label": label, "meaning": self.meanings.get(value, ""),
                 "id": f"{self.slug}-{value}"} for value, label in choices]  # fmt: skip

    @property
    def help_text(self) -> str:
        return str(self.model_field.help_text) if self.model_field is not None else ""


def vocabulary() -> list[Entry]:
    from detainees.models import CustodyOnFile

    return [
        Entry(_("Status of a person"), "detainees.Detainee.status", {
            "held": _("The latest custody on file has not ended (or ended in a handover to a holder whose custody is "
                    "not on file yet: the person is still in someone's custody)."),
            "released": _("The latest custody on file ended otherwise than by exchange or death: released, pardoned, "
                        "sentence served, deported or escaped."),
            "exchanged": _("The latest custody on file ended in an exchange; or, with no custody on file at all, the "
                         "person took part in a published, completed exchange (exchanges release people in custody)."),
            "deceased": _("The person died in custody."),
            "unknown": _("No custody on file and no completed exchange: the tracker cannot say where the person is."),
        }),
        Entry(_("Why custody ended"), "detainees.Detention.end_reason", {
            "released": _("Freed by the holder, without an exchange, pardon, deportation or a completed term."),
            "exchanged": _("Released in an exchange; the exchange's page shows who went which way."),
            "pardoned": _("Freed by a pardon or an amnesty."),
            "sentence_served": _("Freed at the end of the sentence."),
            "deported": _("Expelled from the holding country at the end of custody."),
            "died_in_custody": _("Died while held. The person's status becomes deceased."),
            "escaped": _("Escaped from custody."),
            "extradited": _("Handed to another state under an extradition; that state's custody is the next detention "
                          "of the same person (a custody chain)."),
            "handed_over": _("Handed to another holder without an extradition (a state or a group); the next holder's "
                           "custody is the next detention of the same person."),
        }),
        Entry(_("Custody on file"), "custody", {
            "none": _("No detention of the person is on file (many people are known only from an exchange). Counts "
                    "of who holds whom cannot include them; every such count says how many they are."),
            "on_file": _("At least one detention of the person is on file."),
        }, choices=list(CustodyOnFile.choices)),
        Entry(_("Status of an exchange"), "exchanges.Exchange.status", {
            "completed": _("It took place. Only completed exchanges are counted on the overview and drawn on the "
                         "flows page; the custody of each person it released must be ended on file."),
            "proposed": _("Proposed by a party or a mediator; no one has been exchanged."),
            "failed": _("Planned or agreed, but did not take place."),
        }),
        Entry(_("Charges"), "detainees.Charge.category", {
            "drugs": _("Possession, smuggling or trafficking of drugs."),
            "espionage": _("Spying for a foreign state."),
            "treason": _("Treason or aiding a foreign state against one's own."),
            "arms_trafficking": _("Trade in or smuggling of weapons."),
            "terrorism": _("Terrorism, or support for a group the holder calls terrorist."),
            "cybercrime": _("Hacking, computer fraud and other crimes through computers."),
            "fraud": _("Fraud, embezzlement, money laundering and other financial crimes."),
            "property": _("Theft, extortion, damage to property."),
            "violence": _("Assault, murder and other violence against people."),
            "political": _("Speech, protest, organising or other political activity made a crime."),
            "immigration": _("Breaches of immigration or border law."),
            "other": _("Anything else, described in the charge's own words."),
        }),
        Entry(_("Outcome of a charge"), "detainees.Charge.outcome", {
            "pending": _("Not yet decided."),
            "convicted": _("The court found the person guilty."),
            "acquitted": _("The court found the person not guilty."),
            "dropped": _("The charge was withdrawn before a verdict."),
            "treatment": _("The court found the person not answerable and ordered compulsory psychiatric treatment "
                           "instead of a punishment: neither a conviction nor an acquittal."),
        }),
        Entry(_("Changes to a sentence"), "detainees.SentenceChange.kind", {
            "appeal_rejected": _("An appeal was rejected: the sentence stands."),
            "reduced_on_appeal": _("An appeal court shortened the sentence."),
            "increased_on_appeal": _("An appeal court lengthened the sentence."),
            "overturned_on_appeal": _("An appeal court quashed the conviction."),
            "reduced": _("The sentence was shortened otherwise than on appeal."),
            "increased": _("The sentence was lengthened otherwise than on appeal."),
            "commuted": _("The sentence was replaced by a lighter one."),
            "pardoned": _("The person was pardoned."),
        }),
        Entry(_("A term combined with an earlier sentence"), "detainees.Sentence.combination", {
            "partial_addition": _("Part of the earlier, unserved term was added to the new one (Russian Criminal Code "
                                  "art. 69-70); the term shown is the total."),
            "full_addition": _("All of the earlier term was added; the term shown is the total."),
            "absorption": _("The longer term absorbs the shorter one; the term shown is the longer."),
            "combined": _("A report says the term counts or includes an earlier sentence, without saying how."),
        }),
        Entry(_("Lawyers"), "detainees.Counsel.role", {
            "defence": _("A lawyer defending the person, as a report names them (whoever chose them)."),
            "appointed": _("A lawyer the court appointed."),
            "other": _("Another representative in the case, named as the report describes them."),
        }),
        Entry(_("Places of custody"), "detainees.Transfer.facility_kind", {
            "pre_trial_centre": _("Held before or during trial (a SIZO in Russia)."),
            "prison": _("A prison."),
            "penal_colony": _("A penal colony (labour camp), where most sentences in Russia and Belarus are served."),
            "federal_prison": _("A federal prison (United States)."),
            "immigration_detention": _("Held under immigration law, not a criminal charge."),
            "other": _("Anything else, named in the transfer."),
        }),
        Entry(_("Designations"), "detainees.Designation.kind", {
            "wrongfully_detained": _("An authority (such as the US State Department) determined the person is held "
                                   "wrongfully."),
            "hostage": _("An authority called the person a hostage: held to obtain something from another state."),
            "political_prisoner": _("An authority (such as Memorial or Viasna) lists the person as a political "
                                    "prisoner."),
            "prisoner_of_conscience": _("Amnesty International (or another authority) calls the person a prisoner of "
                                      "conscience."),
            "other": _("Another recognition, named in the designation."),
        }),
        Entry(_("Groups"), "detainees.Group.kind", {
            "armed_group": _("A non-state armed group (Hamas, the Houthis)."),
            "militia": _("An armed militia."),
            "terrorist_organisation": _("An organisation widely designated as terrorist (ISIS)."),
            "criminal_organisation": _("A criminal gang or cartel."),
            "de_facto_authority": _("An authority in control of territory without recognition as a state."),
            "other": _("Anything else, described on the group's page."),
        }),
        Entry(_("Outlets"), "sources.Outlet.kind", {
            "wire_agency": _("A news agency selling reports to other outlets (AFP, Reuters, TASS)."),
            "state_media": _("Media owned or run by a state; cited for what that state says."),
            "independent": _("Media independent of any state."),
            "newspaper": _("A newspaper."),
            "broadcaster": _("A radio or television broadcaster."),
            "government": _("A government or official body publishing its own statements."),
            "ngo": _("A non-governmental organisation (a human-rights group)."),
            "other": _("Anything else."),
        }),
        Entry(_("Date precision"), "detainees.Detention.detained_on_precision", {
            DatePrecision.DAY: _("The day is known."),
            DatePrecision.MONTH: _("Only the month is known: the date means any day of that month."),
            DatePrecision.YEAR: _("Only the year is known: the date means any day of that year."),
        }),
    ]  # fmt: skip
