"""The event contract: what happened, when, where, who, the toll, and who says so.

Modelled on ACLED's codebook (event and sub-event types, conservative fatality
rules, geo-precision codes) and PLOVER's modality, with provenance on every
factual field. The field descriptions are what a model reads.

Quotes are written by the model (or the offline backend); their `[start, end)`
offsets and grounding status are computed by the service, never trusted.
"""

from __future__ import annotations

import json
from datetime import date as _date
from datetime import time as _time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

SCHEMA_VERSION = "1.0.0"
QUOTE_MAX_CHARS = 600

Short = Annotated[str, Field(min_length=1, max_length=200)]
Medium = Annotated[str, Field(min_length=1, max_length=600)]


class Contract(BaseModel):
    """Base of every contract model: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Grounding(StrEnum):
    """How a quote was found in the article."""

    EXACT = "exact"
    NORMALIZED = "normalized"
    FUZZY = "fuzzy"
    UNGROUNDED = "ungrounded"


SERVICE_COMPUTED: dict[str, JsonValue] = {"x-service-computed": True}
"""Marks a field the service fills in after the model answers (offsets, grounding)."""


def model_facing(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema without the fields the service computes: what a model is shown.

    The model cannot know offsets or whether its quotes were found; leaving those fields
    out of the schema it is given saves prompt tokens and a temptation to fill them.
    Definitions no longer referenced (the grounding enum) go too.
    """
    shown: dict[str, Any] = _without_computed(schema)
    defs = shown.get("$defs")
    if isinstance(defs, dict):
        body = json.dumps({k: v for k, v in shown.items() if k != "$defs"})
        used = {name for name in defs if f'"#/$defs/{name}"' in body}
        grown = True
        while grown:  # definitions referenced by used definitions
            text = json.dumps([defs[name] for name in used])
            more = {name for name in defs if f'"#/$defs/{name}"' in text} - used
            used |= more
            grown = bool(more)
        shown["$defs"] = {name: spec for name, spec in defs.items() if name in used}
    return shown


def _without_computed(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_computed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _without_computed(value) for key, value in node.items()}
    properties = out.get("properties")
    if isinstance(properties, dict):
        hidden = {
            name
            for name, spec in properties.items()
            if isinstance(spec, dict) and spec.get("x-service-computed")
        }
        out["properties"] = {n: spec for n, spec in properties.items() if n not in hidden}
        if isinstance(out.get("required"), list):
            out["required"] = [n for n in out["required"] if n not in hidden]
    return out


class Evidence(Contract):
    """A verbatim quote from the article that a field rests on."""

    quote: str = Field(
        min_length=1,
        max_length=QUOTE_MAX_CHARS,
        description="Copy, character for character, the shortest passage of the article "
        "that supports the field (a phrase or one sentence).",
    )
    start: int | None = Field(
        default=None,
        ge=0,
        description="Set by the service: offset of the quote's first character.",
        json_schema_extra=SERVICE_COMPUTED,
    )
    end: int | None = Field(
        default=None,
        ge=0,
        description="Set by the service: offset one past the quote's last character.",
        json_schema_extra=SERVICE_COMPUTED,
    )
    grounding: Grounding | None = Field(
        default=None,
        description="Set by the service: how the quote was found in the article.",
        json_schema_extra=SERVICE_COMPUTED,
    )


EvidenceList = Annotated[list[Evidence], Field(max_length=8)]


class Grounded(Contract):
    """A factual field: its evidence, and whether the service found that evidence."""

    evidence: EvidenceList = Field(
        default_factory=list,
        description="Quote(s) from the article that this field rests on.",
    )
    grounded: bool | None = Field(
        default=None,
        description="Set by the service: true when at least one quote was found in the article.",
        json_schema_extra=SERVICE_COMPUTED,
    )


class EventType(StrEnum):
    """ACLED's six event types, plus types for ordinary news."""

    BATTLES = "Battles"
    EXPLOSIONS = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    STRATEGIC = "Strategic developments"
    DISASTER = "Disaster"
    CRIME = "Crime"
    DIPLOMACY = "Diplomacy"
    POLITICS = "Politics"
    ECONOMY = "Economy"
    OTHER = "Other"


class SubEventType(StrEnum):
    """ACLED's 25 sub-event types, plus sub-types for ordinary news."""

    ARMED_CLASH = "Armed clash"
    GOVERNMENT_REGAINS_TERRITORY = "Government regains territory"
    NON_STATE_ACTOR_OVERTAKES_TERRITORY = "Non-state actor overtakes territory"
    CHEMICAL_WEAPON = "Chemical weapon"
    AIR_DRONE_STRIKE = "Air/drone strike"
    SUICIDE_BOMB = "Suicide bomb"
    SHELLING_ARTILLERY_MISSILE = "Shelling/artillery/missile attack"
    REMOTE_EXPLOSIVE = "Remote explosive/landmine/IED"
    GRENADE = "Grenade"
    SEXUAL_VIOLENCE = "Sexual violence"
    ATTACK = "Attack"
    ABDUCTION = "Abduction/forced disappearance"
    PEACEFUL_PROTEST = "Peaceful protest"
    PROTEST_WITH_INTERVENTION = "Protest with intervention"
    EXCESSIVE_FORCE_AGAINST_PROTESTERS = "Excessive force against protesters"
    VIOLENT_DEMONSTRATION = "Violent demonstration"
    MOB_VIOLENCE = "Mob violence"
    AGREEMENT = "Agreement"
    ARRESTS = "Arrests"
    CHANGE_TO_GROUP_ACTIVITY = "Change to group/activity"
    DISRUPTED_WEAPONS_USE = "Disrupted weapons use"
    HEADQUARTERS_ESTABLISHED = "Headquarters or base established"
    LOOTING_PROPERTY_DESTRUCTION = "Looting/property destruction"
    NON_VIOLENT_TERRITORY_TRANSFER = "Non-violent transfer of territory"
    OTHER_STRATEGIC = "Other"
    NATURAL_DISASTER = "Natural disaster"
    MAN_MADE_DISASTER = "Man-made disaster or accident"
    ORGANISED_CRIME = "Organised crime"
    OTHER_CRIME = "Other crime"
    DIPLOMATIC_EVENT = "Diplomatic event"
    CLAIM_OF_RESPONSIBILITY = "Claim of responsibility"
    POLITICAL_EVENT = "Political event"
    ECONOMIC_EVENT = "Economic event"
    OTHER_NEWS = "Other news"


S = SubEventType
SUB_EVENT_TYPES: dict[EventType, tuple[SubEventType, ...]] = {
    EventType.BATTLES: (
        S.ARMED_CLASH,
        S.GOVERNMENT_REGAINS_TERRITORY,
        S.NON_STATE_ACTOR_OVERTAKES_TERRITORY,
    ),
    EventType.EXPLOSIONS: (
        S.CHEMICAL_WEAPON,
        S.AIR_DRONE_STRIKE,
        S.SUICIDE_BOMB,
        S.SHELLING_ARTILLERY_MISSILE,
        S.REMOTE_EXPLOSIVE,
        S.GRENADE,
    ),
    EventType.VIOLENCE_AGAINST_CIVILIANS: (S.SEXUAL_VIOLENCE, S.ATTACK, S.ABDUCTION),
    EventType.PROTESTS: (
        S.PEACEFUL_PROTEST,
        S.PROTEST_WITH_INTERVENTION,
        S.EXCESSIVE_FORCE_AGAINST_PROTESTERS,
    ),
    EventType.RIOTS: (S.VIOLENT_DEMONSTRATION, S.MOB_VIOLENCE),
    EventType.STRATEGIC: (
        S.AGREEMENT,
        S.ARRESTS,
        S.CHANGE_TO_GROUP_ACTIVITY,
        S.DISRUPTED_WEAPONS_USE,
        S.HEADQUARTERS_ESTABLISHED,
        S.LOOTING_PROPERTY_DESTRUCTION,
        S.NON_VIOLENT_TERRITORY_TRANSFER,
        S.OTHER_STRATEGIC,
    ),
    EventType.DISASTER: (S.NATURAL_DISASTER, S.MAN_MADE_DISASTER),
    EventType.CRIME: (S.ORGANISED_CRIME, S.OTHER_CRIME),
    EventType.DIPLOMACY: (S.DIPLOMATIC_EVENT,),
    EventType.POLITICS: (S.POLITICAL_EVENT, S.CLAIM_OF_RESPONSIBILITY),
    EventType.ECONOMY: (S.ECONOMIC_EVENT,),
    EventType.OTHER: (S.OTHER_NEWS,),
}
del S


class TimePrecision(StrEnum):
    """How precisely the date is known (ACLED time precision, widened)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DateDerivation(StrEnum):
    """How the date was obtained."""

    STATED = "stated"
    RELATIVE_RESOLVED = "relative_resolved"
    RELATIVE_UNRESOLVED = "relative_unresolved"
    PUBLICATION_DATE = "publication_date"
    UNKNOWN = "unknown"


class EventTime(Grounded):
    """When the event happened."""

    text: str | None = Field(
        default=None,
        max_length=200,
        description="The date/time expression as written in the article, e.g. 'le 8 janvier 2025, "
        "vers 17h30' or 'yesterday'.",
    )
    date: str | None = Field(
        default=None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="ISO 8601 date (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known). "
        "Null when the date cannot be determined: never guess.",
    )
    time: str | None = Field(
        default=None,
        pattern=r"^\d{2}:\d{2}$",
        description="Local time HH:MM when the article gives one.",
    )
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone or UTC offset of the time, when known.",
    )
    approximate: bool = Field(
        default=False, description="True when the text hedges the time ('about', 'vers')."
    )
    precision: TimePrecision = Field(
        default=TimePrecision.UNKNOWN,
        description="day, week or month (year when only the year is known).",
    )
    derivation: DateDerivation = Field(
        default=DateDerivation.UNKNOWN,
        description="'stated' when the text gives the date; 'relative_resolved' when a relative "
        "expression ('Monday', 'hier') was resolved against the publication date; "
        "'relative_unresolved' when it could not be resolved (no publication date).",
    )

    @field_validator("date")
    @classmethod
    def _real_calendar_date(cls, value: str | None) -> str | None:
        if value is not None:
            parts = [int(part) for part in value.split("-")]
            try:
                _date(
                    parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1
                )
            except ValueError as exc:
                raise ValueError(f"{value} is not a calendar date: {exc}") from None
        return value

    @field_validator("time")
    @classmethod
    def _real_clock_time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                _time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value} is not a clock time (00:00 to 23:59)") from None
        return value


class Offset(Contract):
    """A displacement from a named place, as in '15 km south of X'."""

    distance: float | None = Field(default=None, ge=0, description="Distance as given.")
    unit: str | None = Field(default=None, max_length=20, description="Unit, e.g. 'km'.")
    direction: str | None = Field(
        default=None, max_length=30, description="Compass direction in English, e.g. 'south'."
    )
    reference: str | None = Field(
        default=None, max_length=200, description="The place the offset is measured from."
    )
    text: str | None = Field(default=None, max_length=200, description="The phrase as written.")


class Place(Grounded):
    """Where the event happened, resolved as far as the gazetteer allows."""

    name: Short = Field(description="The place as written in the article.")
    locality: str | None = Field(default=None, max_length=200, description="Town or village.")
    district: str | None = Field(default=None, max_length=200, description="District / admin2.")
    region: str | None = Field(default=None, max_length=200, description="Region / admin1.")
    country: str | None = Field(default=None, max_length=200, description="Country name.")
    country_code: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code."
    )
    latitude: float | None = Field(
        default=None, ge=-90, le=90, description="WGS 84 latitude of the resolved place."
    )
    longitude: float | None = Field(
        default=None, ge=-180, le=180, description="WGS 84 longitude of the resolved place."
    )
    geonames_id: int | None = Field(default=None, description="GeoNames id when resolved.")
    precision: int = Field(
        default=3,
        ge=1,
        le=3,
        description="1: the named place itself; 2: near it, or an offset from it "
        "('15 km south of X'); 3: only a region or country is known.",
    )
    offset: Offset | None = Field(default=None, description="The offset when the text gives one.")


class ActorType(StrEnum):
    """Who an actor is (ACLED actor categories, simplified)."""

    STATE_FORCES = "state_forces"
    REBEL_GROUP = "rebel_or_armed_group"
    POLITICAL_MILITIA = "political_militia"
    IDENTITY_MILITIA = "identity_militia"
    PROTESTERS = "protesters"
    RIOTERS = "rioters"
    CIVILIANS = "civilians"
    EXTERNAL_FORCES = "external_or_other_forces"
    GOVERNMENT = "government_official"
    ORGANISATION = "organisation"
    OTHER = "other"


class ActorRole(StrEnum):
    """The actor's part in the event."""

    INITIATOR = "initiator"
    TARGET = "target"
    OTHER = "other"


class Actor(Grounded):
    """Someone involved in the event."""

    name: Short = Field(
        description="The actor as written, including loaded wording "
        "('terroristes') kept as reported."
    )
    label: Short = Field(
        description="Neutral normalised label, e.g. 'Malian Armed Forces (FAMa)', "
        "'unidentified armed group'. Never adopt a loaded term such as 'terrorists' as the label."
    )
    actor_type: ActorType = Field(description="The actor's category.")
    role: ActorRole = Field(description="initiator, target or other.")


class FigureKind(StrEnum):
    """What a figure counts."""

    KILLED = "killed"
    INJURED = "injured"
    CAPTURED = "captured_or_arrested"
    MISSING = "missing"
    NEUTRALISED = "neutralised"
    DISPLACED = "displaced"
    SEIZED = "seized"
    DESTROYED = "destroyed"
    DISTANCE = "distance"
    OTHER = "other"


class Figure(Grounded):
    """A count reported by the article: toll, seizures, displacement and other figures."""

    kind: FigureKind = Field(
        description="'neutralised' when the text says neutralised (killed or captured, not known "
        "which): never turn it into 'killed'."
    )
    value: int | None = Field(
        default=None,
        ge=0,
        description="The count (the lowest credible figure). Null when the text states the "
        "outcome without a number.",
    )
    low: int | None = Field(default=None, ge=0, description="Lower bound of a range.")
    high: int | None = Field(default=None, ge=0, description="Upper bound of a range.")
    vague: bool = Field(
        default=False,
        description="True when a vague expression was mapped to a fixed number "
        "('dozens' -> 12, 'about ten' -> 10, 'several' -> 3).",
    )
    unit: str | None = Field(
        default=None,
        max_length=60,
        description="What is counted when not people, e.g. 'motorcycles', 'km'.",
    )
    whose: str | None = Field(
        default=None, max_length=200, description="The side or group the figure applies to."
    )
    raw: Medium = Field(
        description="The phrase as written, e.g. 'neutraliser quatorze terroristes'."
    )
    claimed_by: str | None = Field(
        default=None, max_length=200, description="Who gives this figure, e.g. 'the army'."
    )

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Figure:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class SourceType(StrEnum):
    """Who makes a claim."""

    PARTY_TO_CONFLICT = "party_to_conflict"
    OFFICIAL = "official"
    WITNESS = "witness"
    MEDIA = "media"
    NGO = "ngo"
    OTHER = "other"


class ClaimStatus(StrEnum):
    """How far the claim is established."""

    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    REPORTED = "reported"


class Attribution(Grounded):
    """Where the account of the event comes from, so a newsroom can say 'the army says'."""

    source: Short = Field(
        description="Who makes the claim, e.g. 'General Staff of the Malian Armed Forces, "
        "communiqué'."
    )
    source_type: SourceType = Field(description="The source's role.")
    status: ClaimStatus = Field(
        description="'claimed' by a party, 'confirmed' independently, 'disputed' by another "
        "source, or simply 'reported' by the outlet."
    )


class Modality(StrEnum):
    """Whether the event happened (PLOVER-style modality)."""

    ASSERTED = "asserted"
    DENIED = "denied"
    PLANNED = "planned"
    THREATENED = "threatened"
    BACKGROUND = "background"


class LinkRelation(StrEnum):
    """How two events of one article relate."""

    SAME_OPERATION = "same_operation"
    EARLIER_RELATED = "earlier_related"
    REPRISAL = "reprisal"
    FOLLOW_UP = "follow_up"


class EventLink(Contract):
    """A pointer to a related event in the same article."""

    event_id: str = Field(pattern=r"^e\d{1,3}$", description="The related event's id.")
    relation: LinkRelation = Field(
        description="same_operation, earlier_related (a past event recalled), reprisal, follow_up."
    )


class Event(Grounded):
    """One event the article reports."""

    id: str = Field(pattern=r"^e\d{1,3}$", description="Event id within the article: e1, e2, ...")
    event_type: EventType = Field(description="ACLED event type, or a type for ordinary news.")
    sub_event_type: SubEventType = Field(description="Sub-type belonging to the event type.")
    description: Medium = Field(description="One neutral sentence: what happened.")
    when: EventTime = Field(description="When it happened.")
    where: Place | None = Field(default=None, description="Where it happened.")
    actors: list[Actor] = Field(
        default_factory=list, max_length=12, description="Who was involved, and how."
    )
    figures: list[Figure] = Field(
        default_factory=list,
        max_length=20,
        description="The toll and other counts, each with who claims it; conflicting figures "
        "are all kept.",
    )
    attribution: Attribution | None = Field(
        default=None, description="Who gives the account; null if the outlet reports it itself."
    )
    modality: Modality = Field(
        description="asserted; denied; planned or threatened; background for a past event "
        "recalled for context."
    )
    links: list[EventLink] = Field(
        default_factory=list, max_length=10, description="Related events of the same article."
    )

    @model_validator(mode="after")
    def _sub_type_belongs_to_type(self) -> Event:
        allowed = SUB_EVENT_TYPES[self.event_type]
        if self.sub_event_type not in allowed:
            names = ", ".join(f"'{s.value}'" for s in allowed)
            raise ValueError(
                f"sub_event_type '{self.sub_event_type.value}' does not belong to event_type "
                f"'{self.event_type.value}' (allowed: {names})"
            )
        return self
