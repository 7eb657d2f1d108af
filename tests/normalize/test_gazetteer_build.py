"""The gazetteer build: its helpers, and a single, atomic, locked build per cache directory."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from service.normalize import gazetteer as gazetteer_module
from service.normalize.gazetteer import (
    GazetteerUnavailable,
    database_name,
    default_cache_dir,
    ensure_built,
)
from service.normalize.gazetteer_build import (
    _admin1_regions,
    _Subdivisions,
    _uninvert,
    _useful_alternate,
    main,
)


def test_database_name_carries_the_versions() -> None:
    name = database_name()
    assert name.startswith("gazetteer-v") and "gnc3.0.2" in name and name.endswith(".sqlite")
    assert database_name() == name


@pytest.mark.parametrize(
    ("name", "useful"),
    [
        ("Nioro du Sahel", True),
        ("Kābol", True),
        ("BKO", False),
        ("ka bu er", False),
        ("Кабул", False),
        ("Paris 15", False),
        ("", False),
    ],
)
def test_alternate_names_kept(name: str, useful: bool) -> None:
    assert _useful_alternate(name) is useful


def test_iso_inverted_names_are_also_indexed_in_natural_order() -> None:
    assert list(_uninvert("Russie, Fédération de")) == [
        "Russie, Fédération de",
        "Fédération de Russie",
    ]


class _Sub:
    def __init__(self, code: str, name: str, parent: str | None = None) -> None:
        self.code, self.name, self.parent_code = code, name, parent
        self.country_code = code[:2]


def _city(gid: int, name: str, admin1: str, population: int) -> dict[str, Any]:
    return {
        "geonameid": gid,
        "name": name,
        "admin1code": admin1,
        "population": population,
        "countrycode": "XX",
        "_keys": {name.lower()},
    }


def test_admin1_codes_map_through_regions_named_after_a_large_city() -> None:
    subs = [_Sub("XX-1", "Alpha"), _Sub("XX-2", "Beta"), _Sub("XX-3", "Gamma")]
    cities = [
        _city(1, "Alpha", "07", 50_000),
        _city(2, "Other", "07", 90_000),
        _city(3, "Beta", "08", 1_000),  # Beta is tiny in its admin1: no evidence
        _city(4, "Big1", "08", 90_000),
        _city(5, "Big2", "08", 80_000),
        _city(6, "Big3", "08", 70_000),
    ]
    table = _Subdivisions(subs, admin1_count=2)
    names = {s.code: {s.name.lower()} for s in subs}
    assert _admin1_regions(cities, table, names) == {"07": "XX-1"}


def test_default_cache_dir_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("SUMMARIZER_CACHE_DIR")
    assert default_cache_dir().name == "newsroom-summarizer"


def test_concurrent_first_opens_build_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[Path] = []
    gate = threading.Barrier(4)

    def fake_build(path: Path) -> None:
        calls.append(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(b"built")
        tmp.replace(path)

    monkeypatch.setattr(gazetteer_module, "_run_build", fake_build)
    results: list[Path] = []

    def first_open() -> None:
        gate.wait()
        results.append(ensure_built(tmp_path / "cache"))

    threads = [threading.Thread(target=first_open) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and results[0].read_bytes() == b"built"


def test_a_failed_build_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def failing(path: Path) -> None:
        raise GazetteerUnavailable(f"gazetteer build failed (1): boom at {path.name}")

    monkeypatch.setattr(gazetteer_module, "_run_build", failing)
    with pytest.raises(GazetteerUnavailable, match="boom"):
        ensure_built(tmp_path)
    assert not (tmp_path / database_name()).exists()


def test_opening_garbage_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database")
    with pytest.raises(GazetteerUnavailable):
        gazetteer_module.Gazetteer(bad)


def test_command_line_usage() -> None:
    assert main([]) == 2
