"""Classes of lexical evidence (cues) and what each says about the sub-event type."""

from __future__ import annotations

from enum import StrEnum

from schemas import SubEventType as S


class Cue(StrEnum):
    """A class of lexical evidence."""

    CHEMICAL = "chemical"
    AIR = "air"
    SUICIDE = "suicide"
    SHELLING = "shelling"
    IED = "ied"
    EXPLOSION = "explosion"
    GRENADE = "grenade"
    SEXUAL = "sexual"
    ABDUCTION = "abduction"
    ARREST = "arrest"
    PROTEST = "protest"
    INTERVENTION = "intervention"
    EXCESSIVE = "excessive"
    VIOLENT_CROWD = "violent_crowd"
    MOB = "mob"
    CLASH = "clash"
    CLASH_WEAK = "clash_weak"
    AGAINST_ARMED = "against_armed"
    ATTACK = "attack"
    CIVILIAN = "civilian"
    TAKE = "take_territory"
    RETAKE = "retake_territory"
    DISRUPT = "disrupt"
    HEADQUARTERS = "headquarters"
    LOOT = "loot"
    WITHDRAW = "withdraw"
    AGREEMENT = "agreement"
    GROUP_CHANGE = "group_change"
    NATURAL = "natural"
    MAN_MADE = "man_made"
    MAN_MADE_WEAK = "man_made_weak"
    CRIME = "crime"
    DIPLOMACY = "diplomacy"
    DIPLOMACY_WEAK = "diplomacy_weak"
    CLAIM = "claim"
    BLAME = "blame"
    POLITICS = "politics"
    ECONOMY = "economy"
    STRATEGIC_OTHER = "strategic_other"


# What each cue says about the sub-event type; cues absent here only steer the rules.
CUE_TYPES: dict[Cue, dict[S, float]] = {
    Cue.CHEMICAL: {S.CHEMICAL_WEAPON: 7},
    Cue.AIR: {S.AIR_DRONE_STRIKE: 5},
    Cue.SUICIDE: {S.SUICIDE_BOMB: 8},
    Cue.SHELLING: {S.SHELLING_ARTILLERY_MISSILE: 4},
    Cue.IED: {S.REMOTE_EXPLOSIVE: 5},
    Cue.EXPLOSION: {S.REMOTE_EXPLOSIVE: 2, S.MAN_MADE_DISASTER: 1},
    Cue.GRENADE: {S.GRENADE: 6},
    Cue.SEXUAL: {S.SEXUAL_VIOLENCE: 6},
    Cue.ABDUCTION: {S.ABDUCTION: 5},
    Cue.ARREST: {S.ARRESTS: 4},
    Cue.PROTEST: {S.PEACEFUL_PROTEST: 3},
    Cue.VIOLENT_CROWD: {S.VIOLENT_DEMONSTRATION: 3},
    Cue.MOB: {S.MOB_VIOLENCE: 5},
    Cue.CLASH: {S.ARMED_CLASH: 3},
    Cue.CLASH_WEAK: {S.ARMED_CLASH: 1},
    Cue.AGAINST_ARMED: {S.ARMED_CLASH: 2},
    Cue.ATTACK: {S.ATTACK: 2, S.ARMED_CLASH: 1},
    Cue.DISRUPT: {S.DISRUPTED_WEAPONS_USE: 6},
    Cue.HEADQUARTERS: {S.HEADQUARTERS_ESTABLISHED: 6},
    Cue.LOOT: {S.LOOTING_PROPERTY_DESTRUCTION: 4},
    Cue.WITHDRAW: {S.NON_VIOLENT_TERRITORY_TRANSFER: 4},
    Cue.AGREEMENT: {S.AGREEMENT: 5},
    Cue.GROUP_CHANGE: {S.CHANGE_TO_GROUP_ACTIVITY: 3},
    Cue.NATURAL: {S.NATURAL_DISASTER: 5},
    Cue.MAN_MADE: {S.MAN_MADE_DISASTER: 4},
    Cue.MAN_MADE_WEAK: {S.MAN_MADE_DISASTER: 1},
    Cue.CRIME: {S.ORGANISED_CRIME: 3},
    Cue.DIPLOMACY: {S.DIPLOMATIC_EVENT: 2.5},
    Cue.DIPLOMACY_WEAK: {S.DIPLOMATIC_EVENT: 1},
    Cue.CLAIM: {S.CLAIM_OF_RESPONSIBILITY: 9},
    Cue.BLAME: {S.CLAIM_OF_RESPONSIBILITY: 5},
    Cue.POLITICS: {S.POLITICAL_EVENT: 1.5},
    Cue.ECONOMY: {S.ECONOMIC_EVENT: 1.5},
    Cue.STRATEGIC_OTHER: {S.OTHER_STRATEGIC: 3},
}
