"""Dates and times in article text, resolved against the publication date.

A regex finder (month and weekday names from dateparser's locale data) proposes
candidates; the resolution is plain date arithmetic, so spans are exact and the result
is deterministic. Decisions:
- A day and month without a year take the year that puts them on or before the
  publication date; derivation stays "stated" (the text states the day, only the year
  is inferred). Without a publication date: date None, derivation "relative_unresolved"
  (the year is relative to an unknown date and is never guessed).
- A bare weekday ("lundi", "on Monday") is the most recent such day on or before the
  publication date (a Monday article saying "Monday" means that day); "last Monday",
  "lundi dernier" is strictly before. "Last night", "cette nuit" -> the day before /
  the publication day.
- Week precision: the date of that week's Monday. Month precision: "YYYY-MM".
- Numeric dates (01/02/2025) follow the locale's order (English: month first), swapped
  when impossible. Absolute dates after publication are reported; the validator warns.
- A time attaches to the date next to it ("8 janvier 2025, vers 17h30"); "vers",
  "around", "about" make it approximate.
- Mentions never overlap: of two overlapping candidates (or a date whose attached time
  runs into the next date, "8 janvier 5:30 mars"), the earliest-starting, then the
  longest, is kept.
- Arithmetic that leaves the calendar (a publication date of 0001-01-01 and "hier", or
  an inferred year before year 1) never raises: the mention stays, with date None and
  derivation "relative_unresolved".
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass

from service.normalize.dates_vocab import SMALL_NUMBERS, RelativeRule, Vocabulary, vocabulary
from service.normalize.textutil import WORD_AHEAD, disjoint, fold

DAY, WEEK, MONTH, YEAR = "day", "week", "month", "year"
STATED, RESOLVED, UNRESOLVED = "stated", "relative_resolved", "relative_unresolved"


@dataclass(frozen=True)
class DateMention:
    """A date (and time) expression found in a text, with `[start, end)` offsets."""

    start: int
    end: int
    text: str
    date: str | None
    time: str | None
    approximate: bool
    precision: str
    derivation: str
    timezone: str | None = None


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    date: str | None
    precision: str
    derivation: str
    approximate: bool


_DAY = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:er|st|nd|rd|th|º|°|\.)?"
_DAY_NO_DOT = r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d{2})"
# Whitespace runs are taken whole (possessive): what follows each starts with a word.
_CONN = r"\s++(?:de\s++|of\s++|del\s++|du\s++)?"
_APPROX_DAY = (
    r"(?P<approx>(?:vers|autour|aux\s++alentours)\s++(?:du|de|le)\s++|around\s++|about\s++)?"
)
_APPROX_SPAN = r"(?P<approx>early\s+|late\s+|mid-|début\s+|fin\s+|mi-)?"
_TIME = re.compile(
    r"""(?<![\w:.,])(?=\w)
    (?P<approx>(?:vers|environ|aux\s+alentours\s+de|autour\s+de|peu\s+(?:avant|après)
        |around|about|approximately|roughly|shortly\s+(?:before|after)|at\s+around
        |at\s+about)\s++)?
    (?:(?:à|at)\s++)?
    (?:(?P<h1>[01]?\d|2[0-3])\s?h\s?(?P<m1>[0-5]\d)?
      |(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)(?:\s?(?P<ap2>[ap])\.?\s?m\b\.?)?
      |(?P<h3>1[0-2]|0?[1-9])(?:[.:](?P<m3>[0-5]\d))?\s?(?P<ap3>[ap])\.?\s?m\b\.?
      |(?P<noon>midi|noon|midday)|(?P<midnight>minuit|midnight))
    (?!\w)
    (?:\s*+\(?(?P<tz>GMT|UTC|TU)(?:\s?(?P<off>[+-]\s?\d{1,2})(?::?(?P<offm>\d{2}))?)?\)?(?!\w))?""",
    re.IGNORECASE | re.VERBOSE,
)
_GAP_BEFORE_TIME = re.compile(r"[\s,;(]*(?:(?:à|at|um|a\s+las|alle|às|,)\s*)?")
_GAP_AFTER_TIME = re.compile(r"[\s,]*(?:(?:le|on|ce|this|du)\s+)?")
_RANGE_HEAD = re.compile(
    r"(?<![\w,.])(?P<day>3[01]|[12]\d|0?[1-9])(?:er|st|nd|rd|th)?"
    r"\s*(?:-|–|au|to|and|et|&)\s*(?:le\s+|the\s+)?$",
    re.IGNORECASE,
)


@functools.cache
def _patterns(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    v = vocabulary(lang)
    month = rf"(?P<month>{v.month_pattern})\.?"
    weekday = rf"(?:(?:{v.weekday_pattern}),?\s++)?"
    flags = re.IGNORECASE
    return (
        (
            "iso",
            re.compile(
                r"(?<![\w-])(?P<body>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))"
                r"(?![\w-])"
            ),
        ),
        (
            "numeric",
            re.compile(
                r"(?<![\w/.])(?P<body>(?P<a>\d{1,2})([/.])(?P<b>\d{1,2})\3"
                r"(?P<year>\d{4}))(?![\w/.])"
            ),
        ),
        (
            "dmy",
            re.compile(
                rf"(?<!\w){WORD_AHEAD}(?P<body>{_APPROX_DAY}{weekday}(?:the\s++)?{_DAY}{_CONN}"
                rf"{month}(?:,?{_CONN}{_YEAR})?)(?!\w)",
                flags,
            ),
        ),
        (
            "mdy",
            re.compile(
                rf"(?<!\w){WORD_AHEAD}(?P<body>{_APPROX_DAY}{weekday}{month}\s++{_DAY_NO_DOT}"
                rf"(?:,?\s++{_YEAR})?)(?!\w)",
                flags,
            ),
        ),
        (
            "my",
            re.compile(
                rf"(?<!\w){WORD_AHEAD}(?P<body>{_APPROX_SPAN}{month}{_CONN}{_YEAR})(?!\w)", flags
            ),
        ),
        (
            "m",
            re.compile(
                rf"(?<!\w){WORD_AHEAD}(?:in|en|au\s+mois\s+de|since|depuis|during|durant)\s++"
                rf"(?P<body>{_APPROX_SPAN}{month})(?!\w)",
                flags,
            ),
        ),
        (
            "y",
            re.compile(
                rf"(?<!\w){WORD_AHEAD}(?:in|en|since|depuis|during|durant|until|jusqu['’]en|année"
                rf"|year)\s++(?P<body>{_APPROX_SPAN}{_YEAR})(?!\w)",
                flags,
            ),
        ),
    )


def _month_number(vocab: Vocabulary, name: str) -> int | None:
    key = name.casefold().rstrip(".")
    return vocab.months.get(key) or vocab.months.get(fold(key))


def _infer_year(month: int, day: int, published: dt.date) -> int | None:
    """The year putting the day on or before `published`; None before year 1."""
    if (month, day) <= (published.month, published.day):
        return published.year
    return published.year - 1 if published.year > dt.MINYEAR else None


def _iso_day(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _day_month(kind: str, match: re.Match[str], vocab: Vocabulary) -> tuple[int, int] | None:
    if kind == "iso":
        return int(match["month"]), int(match["day"])
    if kind == "numeric":
        first, second = int(match["a"]), int(match["b"])
        day, month = (first, second) if vocab.day_first else (second, first)
        if month > 12 >= day:
            day, month = month, day
        return month, day
    number = _month_number(vocab, match["month"])
    return (number, int(match["day"])) if number else None


def _absolute(
    kind: str, match: re.Match[str], vocab: Vocabulary, published: dt.date | None
) -> _Found | None:
    start, end = match.span("body")
    approx = bool(match.groupdict().get("approx"))
    year = int(match["year"]) if match.groupdict().get("year") else None
    if kind == "y":
        return _Found(start, end, f"{year:04d}", YEAR, STATED, approx) if year else None
    if kind in ("my", "m"):
        number = _month_number(vocab, match["month"])
        if number is None:
            return None
        if year is None and published is not None:
            year = _infer_year(number, 1, published)
        if year is None:
            return _Found(start, end, None, MONTH, UNRESOLVED, approx)
        return _Found(start, end, f"{year:04d}-{number:02d}", MONTH, STATED, approx)
    day_month = _day_month(kind, match, vocab)
    if day_month is None:
        return None
    month, day = day_month
    if _iso_day(year or 2000, month, day) is None:
        return None
    if year is None and published is not None:
        year = _infer_year(month, day, published)
    if year is None:
        return _Found(start, end, None, DAY, UNRESOLVED, approx)
    iso = _iso_day(year, month, day)
    return _Found(start, end, iso, DAY, STATED, approx) if iso else None


def _in_calendar(year: int) -> bool:
    return dt.MINYEAR <= year <= dt.MAXYEAR


def _days_back(day: dt.date, days: int) -> dt.date | None:
    """`day` moved `days` back (forward when negative); None outside the calendar."""
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return None


def _months_back(published: dt.date, months: int) -> str | None:
    year, month = divmod(published.year * 12 + published.month - 1 - months, 12)
    return f"{year:04d}-{month + 1:02d}" if _in_calendar(year) else None


def _resolve(unit: str, amount: int, published: dt.date) -> str | None:
    """The date `amount` units before publication, at the unit's precision; None when
    that leaves the calendar."""
    if unit == DAY:
        day = _days_back(published, amount)
        return day.isoformat() if day else None
    if unit == WEEK:
        day = _days_back(published, 7 * amount)
        monday = _days_back(day, day.weekday()) if day else None
        return monday.isoformat() if monday else None
    if unit == MONTH:
        return _months_back(published, amount)
    year = published.year - amount
    return f"{year:04d}" if _in_calendar(year) else None


def _relative(rule: RelativeRule, match: re.Match[str], published: dt.date | None) -> _Found:
    start, end = match.span()
    approx = False
    amount = rule.amount
    if amount is None:
        word = match["n"].casefold()
        amount = int(word) if word.isdigit() else SMALL_NUMBERS.get(word, 1)
        approx = word in ("several", "plusieurs", "quelques")
    date = _resolve(rule.unit, amount, published) if published is not None else None
    if date is None:
        return _Found(start, end, None, rule.unit, UNRESOLVED, approx)
    return _Found(start, end, date, rule.unit, RESOLVED, approx)


def _weekday(match: re.Match[str], vocab: Vocabulary, published: dt.date | None) -> _Found | None:
    key = match["wd"].casefold()
    weekday = vocab.weekdays.get(key, vocab.weekdays.get(fold(key)))
    if weekday is None:
        return None
    start, end = match.span()
    day = None
    if published is not None:
        back = (published.weekday() - weekday) % 7
        if back == 0 and match.groupdict().get("last"):
            back = 7
        day = _days_back(published, back)
    if day is None:
        return _Found(start, end, None, DAY, UNRESOLVED, False)
    return _Found(start, end, day.isoformat(), DAY, RESOLVED, False)


def _candidates(text: str, lang: str, published: dt.date | None) -> list[_Found]:
    vocab = vocabulary(lang)
    found: list[_Found] = []
    for kind, pattern in _patterns(lang):
        for match in pattern.finditer(text):
            item = _absolute(kind, match, vocab, published)
            if item is not None:
                found.append(item)
    for rule in vocab.relative:
        found.extend(_relative(rule, m, published) for m in rule.pattern.finditer(text))
    for match in vocab.weekday_rule.finditer(text):
        item = _weekday(match, vocab, published)
        if item is not None:
            found.append(item)
    return found


def _range_heads(text: str, dates: list[_Found]) -> list[_Found]:
    """'du 5 au 7 janvier': the first day of a range, with the second day's month."""
    heads: list[_Found] = []
    for item in dates:
        if item.precision != DAY or item.derivation == RESOLVED:
            continue
        head = _RANGE_HEAD.search(text, max(0, item.start - 16), item.start)
        if head is None:
            continue
        day = int(head["day"])
        date = None
        if item.date is not None:
            date = _iso_day(int(item.date[:4]), int(item.date[5:7]), day)
            if date is None:
                continue
        heads.append(
            _Found(head.start("day"), head.end("day"), date, DAY, item.derivation, item.approximate)
        )
    return heads


def _time_value(match: re.Match[str]) -> str:
    if match["noon"]:
        return "12:00"
    if match["midnight"]:
        return "00:00"
    hour = int(match["h1"] or match["h2"] or match["h3"])
    minute = int(match["m1"] or match["m2"] or match["m3"] or 0)
    meridiem = (match["ap2"] or match["ap3"] or "").lower()
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _timezone(match: re.Match[str]) -> str | None:
    if not match["tz"]:
        return None
    if not match["off"]:
        return "UTC"
    offset = match["off"].replace(" ", "")
    return f"{offset[0]}{int(offset[1:]):02d}:{match['offm'] or '00'}"


def _times(text: str) -> list[re.Match[str]]:
    return [m for m in _TIME.finditer(text) if m.group().strip()]


def _attach(text: str, dates: list[_Found], times: list[re.Match[str]]) -> list[DateMention]:
    taken: set[int] = set()
    mentions: list[DateMention] = []
    starts = [match.start() for match in times]  # in text order, not overlapping
    ends = [match.end() for match in times]
    for item in dates:
        start, end, time, approx, zone = item.start, item.end, None, item.approximate, None
        # Only a time ending in the gap allowed before the date, or starting in the one
        # allowed after it, can attach: look at those, in the same order as all of them.
        first = bisect.bisect_left(ends, _gap_floor(text, item.start))
        last = bisect.bisect_right(starts, _gap_ceiling(text, item.end))
        for index in range(first, last):
            match = times[index]
            if index in taken or match.start() < item.end and match.end() > item.start:
                continue
            after = match.start() >= item.end and _GAP_BEFORE_TIME.fullmatch(
                text, item.end, match.start()
            )
            before = match.end() <= item.start and _GAP_AFTER_TIME.fullmatch(
                text, match.end(), item.start
            )
            if after or before:
                taken.add(index)
                time, zone = _time_value(match), _timezone(match)
                approx = approx or bool(match["approx"])
                start, end = min(start, match.start()), max(end, match.end())
                break
        mentions.append(
            DateMention(
                start,
                end,
                text[start:end],
                item.date,
                time,
                approx,
                item.precision,
                item.derivation,
                zone,
            )
        )
    return mentions


def _gap_floor(text: str, position: int) -> int:
    """No offset before this one starts a gap `_GAP_AFTER_TIME` can fill up to `position`:
    spaces and commas, one connector word of at most four letters, spaces and commas."""
    position = _skip_back(text, position, " ,")
    return _skip_back(text, max(0, position - 4), " ,")


def _gap_ceiling(text: str, position: int) -> int:
    """No offset after this one ends a gap `_GAP_BEFORE_TIME` can fill from `position`:
    spaces and ',;(', then a connector (four letters at most, or "a", spaces, "las"),
    then spaces."""
    position = _skip_ahead(text, position, " ,;(")
    short = _skip_ahead(text, min(len(text), position + 4), " ")
    spaced = _skip_ahead(text, _skip_ahead(text, position + 1, " ") + 3, " ")
    return max(position, short, spaced)


def _skip_ahead(text: str, position: int, characters: str) -> int:
    """The end of the run of whitespace and `characters` from `position`."""
    while position < len(text) and (text[position].isspace() or text[position] in characters):
        position += 1
    return position


def _skip_back(text: str, position: int, characters: str) -> int:
    """The start of the run of whitespace and `characters` ending at `position`."""
    while position > 0 and (text[position - 1].isspace() or text[position - 1] in characters):
        position -= 1
    return position


def find_dates(text: str, lang: str, published: dt.date | None) -> list[DateMention]:
    """Every date expression in `text`, relative ones resolved against `published`."""
    if isinstance(published, dt.datetime):
        published = published.date()
    dates = disjoint(_candidates(text, lang, published))
    dates = disjoint(dates + _range_heads(text, dates))
    # An attached time can run into the next date ("8 janvier 5:30 mars"): same rule again.
    return disjoint(_attach(text, dates, _times(text)))


def temporal_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans of every date and time (standalone times too), to keep them out of counts:
    sorted, overlapping ones merged (a date's span already covers its attached time)."""
    spans = [(m.start, m.end) for m in find_dates(text, lang, None)]
    spans.extend(m.span() for m in _times(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
