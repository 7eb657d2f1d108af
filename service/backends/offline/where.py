"""The `where` of an event: the place as written, its hierarchy, precision and offset.

Precision 1 for a resolved locality, 2 near a place or at an offset from it, 3 when
only a region or country resolves. An unresolved village keeps its name as written
and falls back to the region or country the article names; it is never matched to
another village.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from schemas import Evidence, Offset, Place
from service.backends.offline.spans import ByStart
from service.normalize.places import OffsetMention, PlaceMention, PlaceRecord
from service.normalize.textutil import fold

_NEAR = re.compile(
    r"(?:near|outside|close to|on the outskirts of|in the vicinity of|près de|non loin de|"
    r"aux environs de|à proximité de|en périphérie de|dans les environs de)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_TAIL = re.compile(r"^(?:[ -](?:du|de|des|de la|sur|el|al)[ -](?:[A-ZÀ-Þ][\w'’-]*))+")


@dataclass(frozen=True)
class Geography:
    """The places of the whole article: mentions, offsets and the main country."""

    text: str
    mentions: list[PlaceMention]
    offsets: list[OffsetMention]
    country: PlaceRecord | None

    def region_mentions(self) -> list[PlaceMention]:
        """Resolved region mentions, in text order."""
        return [m for m in self.mentions if m.kind == "region" and m.record is not None]

    @cached_property
    def mention_index(self) -> ByStart[PlaceMention]:
        """The place mentions indexed by offset."""
        return ByStart(self.mentions)

    @cached_property
    def offset_index(self) -> ByStart[OffsetMention]:
        """The offsets indexed by offset."""
        return ByStart(self.offsets)

    @cached_property
    def region_index(self) -> ByStart[PlaceMention]:
        """The resolved region mentions indexed by offset."""
        return ByStart(self.region_mentions())


def written_name(text: str, mention: PlaceMention) -> tuple[str, int]:
    """The place as written, extended over 'du Sahel'-style tails; and its end offset."""
    tail = _TAIL.match(text[mention.end : mention.end + 40])
    if tail is None:
        return mention.text, mention.end
    end = mention.end + tail.end()
    return text[mention.start : end], end


def main_country(mentions: list[PlaceMention], fallback: PlaceRecord | None) -> PlaceRecord | None:
    """The country the article is about: the most named one, else that of its places."""
    counts: dict[str, tuple[int, int, PlaceRecord]] = {}
    for index, mention in enumerate(mentions):
        record = mention.record
        if record is None or record.country_code is None:
            continue
        weight = 2 if mention.kind == "country" else 1
        count, first, _ = counts.get(record.country_code, (0, index, record))
        counts[record.country_code] = (count + weight, first, record)
    if not counts:
        return fallback
    code = sorted(counts, key=lambda c: (-counts[c][0], counts[c][1]))[0]
    record = counts[code][2]
    return record if record.kind == "country" else fallback or _country_of(record)


def _country_of(record: PlaceRecord) -> PlaceRecord:
    return PlaceRecord(
        name=record.country or record.country_code or "",
        kind="country",
        country=record.country,
        country_code=record.country_code,
        region=None,
        latitude=None,
        longitude=None,
        geonames_id=None,
        population=None,
    )


def _evidence(*quotes: str) -> list[Evidence]:
    seen = list(dict.fromkeys(q for q in quotes if q))
    return [Evidence(quote=q[:600]) for q in seen]


def _fallback_region(geo: Geography, spans: list[tuple[int, int]]) -> PlaceMention | None:
    regions = geo.region_index
    inside = regions.within_any(spans)
    chosen = inside or regions.items
    return chosen[0] if chosen else None


def _from_record(name: str, record: PlaceRecord, precision: int) -> dict[str, object]:
    fields: dict[str, object] = {
        "name": name[:200],
        "region": record.region if record.kind != "country" else None,
        "country": record.country,
        "country_code": record.country_code,
        "precision": precision,
    }
    if record.kind == "locality":
        fields.update(
            locality=record.name,
            latitude=record.latitude,
            longitude=record.longitude,
            geonames_id=record.geonames_id,
        )
    elif record.kind == "region":
        fields.update(region=record.name, latitude=record.latitude, longitude=record.longitude)
    return fields


def _unresolved(
    name: str, geo: Geography, spans: list[tuple[int, int]]
) -> tuple[dict[str, object], str | None]:
    """An unresolved locality: its name, and the region or country the article gives."""
    region = _fallback_region(geo, spans)
    if region is not None and region.record is not None:
        fields = _from_record(name, region.record, 3)
        return fields, region.text
    fields = {"name": name[:200], "precision": 3}
    if geo.country is not None:
        fields.update(country=geo.country.country, country_code=geo.country.country_code)
    return fields, None


def _pick(mentions: list[PlaceMention]) -> PlaceMention | None:
    for kind in ("locality", "region", "country"):
        for mention in mentions:
            if mention.kind == kind and (kind == "locality" or mention.record is not None):
                return mention
    return None


def place_for(
    geo: Geography, spans: list[tuple[int, int]], founder: tuple[int, int]
) -> Place | None:
    """The place of an event whose sentences cover `spans` (founding sentence first)."""
    offsets = geo.offset_index.within(founder[0], founder[1])
    if offsets:
        return _offset_place(geo, offsets[0], spans)
    inside = geo.mention_index.within_any(spans)
    in_founder = [m for m in inside if founder[0] <= m.start < founder[1]]
    mention = _pick(in_founder) or _pick(inside)
    if mention is None:
        return None
    name, _ = written_name(geo.text, mention)
    extra: str | None = None
    if mention.record is None:
        fields, extra = _unresolved(name, geo, spans)
    else:
        before = geo.text[max(0, mention.start - 40) : mention.start]
        precision = 1 if mention.kind == "locality" else 3
        if precision == 1 and _NEAR.search(before):
            precision = 2
        fields = _from_record(name, mention.record, precision)
    return Place.model_validate({**fields, "evidence": _evidence(name, extra or "")})


def _offset_place(geo: Geography, offset: OffsetMention, spans: list[tuple[int, int]]) -> Place:
    """A place given as an offset from a reference: precision 2, with the offset."""
    reference = [m for m in geo.mentions if offset.start <= m.start < offset.end + 1] or [
        m for m in geo.mentions if fold(m.text) == fold(offset.reference)
    ]
    extra: str | None = None
    if reference and reference[0].record is not None:
        fields = _from_record(offset.reference, reference[0].record, 2)
    else:
        fields, extra = _unresolved(offset.reference, geo, spans)
        fields["precision"] = 2
    fields["offset"] = Offset(
        distance=offset.distance,
        unit=offset.unit,
        direction=offset.direction,
        reference=offset.reference[:200],
        text=offset.text[:200],
    )
    return Place.model_validate({**fields, "evidence": _evidence(offset.text, extra or "")})


def place_key(text: str, mention: PlaceMention) -> str:
    """What makes two mentions the same place: the folded name as written."""
    return fold(written_name(text, mention)[0])
