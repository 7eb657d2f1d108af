"""Deterministic normalisers used by the offline backend and the validators: numbers
(digits and number words), dates (absolute and relative), places (offline gazetteer),
offsets ('15 km south of X') and the article's language."""

from service.normalize.dates import DateMention, find_dates
from service.normalize.gazetteer import Gazetteer, GazetteerUnavailable, PlaceRecord
from service.normalize.language import detect_language
from service.normalize.numbers import NumberMention, find_numbers, number_in_text, parse_number
from service.normalize.offsets import OffsetMention, find_offsets
from service.normalize.places import PlaceMention, find_places

__all__ = [
    "DateMention",
    "Gazetteer",
    "GazetteerUnavailable",
    "NumberMention",
    "OffsetMention",
    "PlaceMention",
    "PlaceRecord",
    "detect_language",
    "find_dates",
    "find_numbers",
    "find_offsets",
    "find_places",
    "number_in_text",
    "parse_number",
]
