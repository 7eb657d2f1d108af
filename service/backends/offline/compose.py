"""Headline, summary and event descriptions from the extracted fields, by small templates.

English and French templates; claims stay attributed ("..., selon l'État-Major").
Without an event, the headline and summary fall back to the article's lead.
"""

from __future__ import annotations

from datetime import date

from schemas import Event, Figure, FigureKind, Modality, Place, SubEventType
from service.backends.offline.actors import label_in
from service.backends.offline.countries import BY_CODE
from service.backends.offline.text import Sentence
from service.injection import strip_invisible, strip_markup

S = SubEventType
K = FigureKind
NAMES: dict[SubEventType, tuple[str, str]] = {
    S.ARMED_CLASH: ("armed clash", "un affrontement armé"),
    S.GOVERNMENT_REGAINS_TERRITORY: ("government recapture of territory",
                                     "une reprise de territoire par les forces gouvernementales"),
    S.NON_STATE_ACTOR_OVERTAKES_TERRITORY: ("capture of territory by a non-state group",
                                            "une prise de territoire par un groupe non étatique"),
    S.CHEMICAL_WEAPON: ("chemical weapon attack", "une attaque à l'arme chimique"),
    S.AIR_DRONE_STRIKE: ("air/drone strike", "une frappe aérienne ou de drone"),
    S.SUICIDE_BOMB: ("suicide bombing", "un attentat-suicide"),
    S.SHELLING_ARTILLERY_MISSILE: ("shelling/artillery/missile attack",
                                   "un bombardement (artillerie, obus ou missiles)"),
    S.REMOTE_EXPLOSIVE: ("explosive device attack", "une attaque à l'engin explosif"),
    S.GRENADE: ("grenade attack", "une attaque à la grenade"),
    S.SEXUAL_VIOLENCE: ("sexual violence", "des violences sexuelles"),
    S.ATTACK: ("attack on civilians", "une attaque contre des civils"),
    S.ABDUCTION: ("abduction", "un enlèvement"),
    S.PEACEFUL_PROTEST: ("peaceful protest", "une manifestation pacifique"),
    S.PROTEST_WITH_INTERVENTION: ("protest met with intervention",
                                  "une manifestation dispersée ou entravée"),
    S.EXCESSIVE_FORCE_AGAINST_PROTESTERS: ("use of excessive force against protesters",
                                           "un usage excessif de la force contre des manifestants"),
    S.VIOLENT_DEMONSTRATION: ("violent demonstration", "une manifestation violente"),
    S.MOB_VIOLENCE: ("mob violence", "des violences collectives"),
    S.AGREEMENT: ("agreement", "un accord"),
    S.ARRESTS: ("arrests", "des arrestations"),
    S.CHANGE_TO_GROUP_ACTIVITY: ("change in a group's activity",
                                 "un changement dans l'activité d'un groupe"),
    S.DISRUPTED_WEAPONS_USE: ("disrupted weapons use", "une neutralisation ou saisie d'armes"),
    S.HEADQUARTERS_ESTABLISHED: ("base established", "l'installation d'une base"),
    S.LOOTING_PROPERTY_DESTRUCTION: ("looting or property destruction",
                                     "des pillages ou destructions de biens"),
    S.NON_VIOLENT_TERRITORY_TRANSFER: ("non-violent transfer of territory",
                                       "un transfert non violent de territoire"),
    S.OTHER_STRATEGIC: ("strategic development", "un développement stratégique"),
    S.NATURAL_DISASTER: ("natural disaster", "une catastrophe naturelle"),
    S.MAN_MADE_DISASTER: ("accident or man-made disaster", "un accident ou sinistre"),
    S.ORGANISED_CRIME: ("organised crime case", "une affaire de criminalité organisée"),
    S.OTHER_CRIME: ("crime", "un crime"),
    S.DIPLOMATIC_EVENT: ("diplomatic event", "un événement diplomatique"),
    S.CLAIM_OF_RESPONSIBILITY: ("claim of responsibility", "une revendication"),
    S.POLITICAL_EVENT: ("political event", "un événement politique"),
    S.ECONOMIC_EVENT: ("economic event", "un événement économique"),
    S.OTHER_NEWS: ("event", "un événement"),
}  # fmt: skip
NO_ARTICLE_EN = frozenset(
    {S.ARRESTS, S.SEXUAL_VIOLENCE, S.MOB_VIOLENCE, S.LOOTING_PROPERTY_DESTRUCTION}
)
MONTHS_FR = ("janvier février mars avril mai juin juillet août septembre octobre novembre "
             "décembre").split()  # fmt: skip
MONTHS_EN = ("January February March April May June July August September October November "
             "December").split()  # fmt: skip
FIGURES_EN = {
    K.KILLED: "killed",
    K.INJURED: "injured",
    K.NEUTRALISED: "neutralised",
    K.CAPTURED: "captured or arrested",
    K.MISSING: "missing",
    K.DISPLACED: "displaced",
    K.SEIZED: "seized",
    K.DESTROYED: "destroyed",
    K.DISTANCE: "",
    K.OTHER: "",
}
FIGURES_FR = {
    K.KILLED: "morts",
    K.INJURED: "blessés",
    K.NEUTRALISED: "neutralisés",
    K.CAPTURED: "capturés ou arrêtés",
    K.MISSING: "disparus",
    K.DISPLACED: "déplacés",
    K.SEIZED: "saisie",
    K.DESTROYED: "destruction",
    K.DISTANCE: "",
    K.OTHER: "",
}
DIRECTIONS_FR = {"north": "au nord", "south": "au sud", "east": "à l'est", "west": "à l'ouest",
                 "northeast": "au nord-est", "northwest": "au nord-ouest",
                 "southeast": "au sud-est", "southwest": "au sud-ouest"}  # fmt: skip


def _lang(lang: str) -> str:
    return "fr" if lang == "fr" else "en"


def type_name(sub_type: SubEventType, lang: str, article: bool = True) -> str:
    """The sub-type as a noun phrase in the output language."""
    en, fr = NAMES[sub_type]
    if _lang(lang) == "fr":
        if article:
            return fr
        return fr.split(" ", 1)[1] if fr.startswith(("un ", "une ", "des ")) else fr
    if not article or sub_type in NO_ARTICLE_EN:
        return en
    return ("an " if en[0] in "aeiou" else "a ") + en


def format_date(value: str | None, lang: str) -> str | None:
    """An ISO date written out: '8 January 2025' / '8 janvier 2025'."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    months = MONTHS_FR if _lang(lang) == "fr" else MONTHS_EN
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return f"{months[parts[1] - 1]} {parts[0]}"
    day = date(*parts)
    first = "1er" if _lang(lang) == "fr" and day.day == 1 else str(day.day)
    return f"{first} {months[day.month - 1]} {day.year}"


def when_phrase(event: Event, lang: str) -> str:
    """' on 8 January 2025 at about 17:30' / ' le 8 janvier 2025 vers 17h30' or ''."""
    written = format_date(event.when.date, lang)
    if written is None:
        return ""
    fr = _lang(lang) == "fr"
    phrase = (" le " if fr else " on ") + written
    if event.when.date is not None and len(event.when.date) < 10:
        phrase = (" en " if fr else " in ") + written
    if event.when.time:
        clock = event.when.time.replace(":", "h") if fr else event.when.time
        hedge = (
            ("vers " if fr else "at about ") if event.when.approximate else ("à " if fr else "at ")
        )
        phrase += f" {hedge}{clock}"
    return phrase


def country_name(place: Place, lang: str) -> str | None:
    """The place's country in the output language when known (the gazetteer's otherwise)."""
    known = BY_CODE.get(place.country_code or "")
    if known is not None:
        return known.name_fr if _lang(lang) == "fr" else known.name
    return place.country


def place_phrase(place: Place | None, lang: str) -> str:
    """' in Diangassagou (Mopti, Mali)' / ' à 15 km au sud de Diangassagou (...)' or ''."""
    if place is None:
        return ""
    fr = _lang(lang) == "fr"
    context = [p for p in (place.region, country_name(place, lang)) if p and p != place.name]
    suffix = f" ({', '.join(dict.fromkeys(context))})" if context else ""
    offset = place.offset
    if offset is not None and offset.distance is not None and offset.reference:
        distance = f"{offset.distance:g} {offset.unit or 'km'}"
        direction = offset.direction or ""
        if fr:
            where = DIRECTIONS_FR.get(direction, direction)
            return f" à environ {distance} {where} de {offset.reference}{suffix}"
        return f" about {distance} {direction} of {offset.reference}{suffix}"
    return (" à " if fr else " in ") + place.name + suffix


def figure_phrase(figure: Figure, lang: str) -> str:
    """One figure in words: '14 neutralised (unidentified armed group)', 'saisie de 9 motos'."""
    fr = _lang(lang) == "fr"
    count = str(figure.value) if figure.value is not None else ""
    if figure.low is not None and figure.high is not None:
        count = f"{figure.low}-{figure.high}"
    if figure.vague and count:
        count = ("environ " if fr else "about ") + count
    whose = f" ({label_in(figure.whose, lang)})" if figure.whose else ""
    if figure.kind in (K.SEIZED, K.DESTROYED):
        unit = figure.unit or ("matériel" if fr else "materiel")
        if fr:
            amount = f"{count} {unit}" if count else f"{unit} (quantité non précisée)"
            return f"{FIGURES_FR[figure.kind]} de {amount}"
        amount = f"{count} {unit}" if count else f"unquantified {unit}"
        return f"{amount} {FIGURES_EN[figure.kind]}"
    word = FIGURES_FR[figure.kind] if fr else FIGURES_EN[figure.kind]
    if not count:
        return (f"{word} en nombre non précisé" if fr else f"an unspecified number {word}") + whose
    return f"{count} {word}{whose}"


def _actors_phrase(event: Event, lang: str) -> str:
    labels = list(dict.fromkeys(label_in(a.label, lang, article=True) for a in event.actors))[:3]
    if not labels:
        return ""
    joined = (
        labels[0]
        if len(labels) == 1
        else ", ".join(labels[:-1]) + (" et " if _lang(lang) == "fr" else " and ") + labels[-1]
    )
    return (", impliquant " if _lang(lang) == "fr" else ", involving ") + joined


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(event: Event, lang: str, source: str | None) -> str:
    """One neutral sentence: what happened, where, when, who, and who says so."""
    fr = _lang(lang) == "fr"
    name = type_name(event.sub_event_type, lang)
    plural = name.startswith("des ")
    verb = (" ont eu lieu" if plural else " a eu lieu") if fr else " took place"
    if event.modality is Modality.PLANNED:
        verb = (" sont prévues" if plural else " est prévu(e)") if fr else " is planned"
    elif event.modality is Modality.THREATENED:
        verb = " est annoncé(e) comme menace" if fr else " is threatened"
    elif event.modality is Modality.DENIED:
        verb = " est démenti(e)" if fr else " is denied"
    core = name + verb + place_phrase(event.where, lang) + when_phrase(event, lang)
    core += _actors_phrase(event, lang)
    if event.modality is Modality.BACKGROUND:
        core += " (rappel de contexte)" if fr else " (recalled as background)"
    if source:
        core = ("Selon " if fr else "According to ") + source + ", " + core
    return _capital(core.strip()) + "."


def headline(events: list[Event], lang: str, sources: dict[str, str], lead: str) -> str:
    """A neutral headline: type, place, main figures and the source's attribution."""
    if not events:
        return lead[:200]
    fr = _lang(lang) == "fr"
    event = events[0]
    text = type_name(event.sub_event_type, lang, article=False)
    if event.where is not None:
        text += (" à " if fr else " in ") + event.where.name
        country = country_name(event.where, lang)
        if country and country != event.where.name:
            text += f" ({country})"
    else:
        text += when_phrase(event, lang)
    people = [f for f in event.figures if f.kind not in (K.SEIZED, K.DESTROYED, K.OTHER)]
    shown = [figure_phrase(f, lang).split(" (")[0] for f in people[:2]]
    if shown:
        text += (" : " if fr else ": ") + ", ".join(shown)
    source = sources.get(event.id)
    if source:
        text += (", selon " if fr else ", according to ") + source
    text = _capital(text)
    return text if len(text) <= 200 else text[:199].rsplit(" ", 1)[0] + "…"


def summary(events: list[Event], lang: str, sources: dict[str, str], lead: list[str]) -> str:
    """Two to four sentences: the main event, its figures, the other events."""
    fr = _lang(lang) == "fr"
    if not events:
        return _no_event_summary(lang, lead)
    main = events[0]
    sentences = [describe(main, lang, sources.get(main.id))]
    if main.figures:
        ordered = sorted(main.figures, key=lambda f: (f.kind in (K.SEIZED, K.DESTROYED),
                                                      f.value is None))  # fmt: skip
        parts = "; ".join(figure_phrase(f, lang) for f in ordered[:6])
        sentences.append(("Bilan rapporté : " if fr else "Reported figures: ") + parts + ".")
    others = [
        type_name(e.sub_event_type, lang) + place_phrase(e.where, lang) + when_phrase(e, lang)
        + ((" (rappel de contexte)" if fr else " (recalled as background)")
           if e.modality is Modality.BACKGROUND else "")
        for e in events[1:4]
    ]  # fmt: skip
    if others:
        intro = "L'article mentionne aussi " if fr else "The article also reports "
        sentences.append(intro + "; ".join(others) + ".")
    if len(sentences) < 2:
        sentences.append(
            ("Aucun bilan chiffré n'est donné." if fr else "No figures are given.")
            if main.modality is Modality.ASSERTED
            else ("L'événement n'est pas présenté comme accompli."
                  if fr else "The event is not reported as having happened.")
        )  # fmt: skip
    return " ".join(sentences)[:1500]


def _no_event_summary(lang: str, lead: list[str]) -> str:
    fr = _lang(lang) == "fr"
    note = (
        "L'article ne rapporte aucun événement précis."
        if fr
        else "The article reports no specific event."
    )
    kept = [s for s in lead[:2] if len(s) <= 600]
    if not kept:
        kept = ["Le texte ne contient pas de récit d'événement." if fr
                else "The text contains no account of an event."]  # fmt: skip
    return " ".join([*kept, note])[:1500]


def lead_sentences(sentences: list[Sentence]) -> list[str]:
    """The article's first sentences, for the fallback headline and summary, as plain text
    (no markup, no invisible characters)."""
    lead = (strip_markup(strip_invisible(s.text.replace("\n", " "))) for s in sentences[:3])
    return [text for text in lead if any(ch.isalnum() for ch in text)]
