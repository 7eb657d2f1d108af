"""One event's facts as short plain lines for a reader (escaped later, by the card)."""

from __future__ import annotations

from schemas import DateDerivation, Event, Figure, FigureKind, Modality, Place, TimePrecision

KINDS = {
    FigureKind.KILLED: "killed",
    FigureKind.INJURED: "injured",
    FigureKind.CAPTURED: "captured or arrested",
    FigureKind.MISSING: "missing",
    FigureKind.NEUTRALISED: "neutralised",
    FigureKind.DISPLACED: "displaced",
    FigureKind.SEIZED: "seized",
    FigureKind.DESTROYED: "destroyed",
    FigureKind.DISTANCE: "distance",
    FigureKind.OTHER: "other figure",
}
PEOPLE = frozenset(
    {
        FigureKind.KILLED,
        FigureKind.INJURED,
        FigureKind.NEUTRALISED,
        FigureKind.CAPTURED,
        FigureKind.MISSING,
        FigureKind.DISPLACED,
    }
)
"""Kinds that count people: the toll, listed before seizures and other figures."""
PRECISION = {2: "near the named place", 3: "only the region is known"}
MAX_ACTORS = 4


def what_line(event: Event) -> list[str]:
    """Type › sub-type, and the modality when the event is not simply asserted."""
    line = f"{event.event_type.value} › {event.sub_event_type.value}"
    if event.modality is not Modality.ASSERTED:
        line += f" ({event.modality.value})"
    return [line]


def when_line(event: Event) -> list[str]:
    """The date (and time) as resolved, or the expression as written and why it is not."""
    when = event.when
    if when.derivation is DateDerivation.RELATIVE_UNRESOLVED:
        return [f"“{when.text}” (no publication date to resolve it)" if when.text else "unknown"]
    if when.date is None:
        return [f"“{when.text}”" if when.text else "not stated"]
    line = when.date
    if when.time:
        line += f" {when.time}"
        if when.timezone:
            line += f" {when.timezone}"
    if when.approximate:
        line += " (approx.)"
    if when.precision in (TimePrecision.WEEK, TimePrecision.MONTH, TimePrecision.YEAR):
        line += f" (within that {when.precision.value})"
    if when.derivation is DateDerivation.RELATIVE_RESOLVED and when.text:
        line += f" — from “{when.text}”"
    return [line]


def _hierarchy(place: Place) -> str:
    parts: list[str] = []
    for part in (place.locality, place.district, place.region, place.country):
        if part and part != place.name and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def where_line(event: Event) -> list[str]:
    """The place as written, its hierarchy, the offset and how precise it is."""
    place = event.where
    if place is None:
        return ["not stated"]
    hierarchy = _hierarchy(place)
    lines = [f"{place.name} ({hierarchy})" if hierarchy else place.name]
    offset = place.offset
    if offset is not None and (offset.text or offset.distance is not None):
        if offset.distance is not None:
            distance = f"{offset.distance:g} {offset.unit or ''}".strip()
            direction = f" {offset.direction}" if offset.direction else ""
            reference = f" of {offset.reference}" if offset.reference else ""
            lines.append(f"{distance}{direction}{reference}")
        else:
            lines.append(offset.text or "")
    if place.precision in PRECISION:
        lines.append(PRECISION[place.precision])
    return lines


def who_line(event: Event) -> list[str]:
    """The actors: neutral label, the wording as written when it differs, and the role."""
    lines = []
    for actor in event.actors[:MAX_ACTORS]:
        line = actor.label
        if actor.name.casefold() not in actor.label.casefold():
            line += f" (“{actor.name}”)"
        lines.append(f"{line} — {actor.role.value}")
    if len(event.actors) > MAX_ACTORS:
        lines.append(f"+{len(event.actors) - MAX_ACTORS} more")
    return lines or ["not stated"]


def _count(figure: Figure) -> str | None:
    if figure.low is not None and figure.high is not None:
        return f"{figure.low}–{figure.high}"
    if figure.value is None:
        return None
    return f"~{figure.value}" if figure.vague else str(figure.value)


def figure_line(figure: Figure) -> str:
    """'14 neutralised (unidentified armed group)', '9 motos seized', 'killed, no number given'."""
    kind = KINDS.get(figure.kind, figure.kind.value)
    count = _count(figure)
    what = f"{figure.unit} {kind}" if figure.unit else kind
    line = f"{count} {what}" if count is not None else f"{what}, no number given"
    if figure.whose:
        line += f" ({figure.whose})"
    if figure.grounded is False:
        line += " ⚠️ not found in the article"
    return line
