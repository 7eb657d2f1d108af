"""The token and quality benchmarks run on tiny inputs; their matching rules hold on examples."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from schemas import Event

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

needs_data = pytest.mark.skipif(
    not (EVAL / "case2021-task2-dev.tsv").exists() or not (EVAL / "wikievents-dev.jsonl").exists(),
    reason=f"evaluation data not present in {EVAL}",
)


@cache
def load(name: str) -> ModuleType:
    """A bench script as a module (registered first: its dataclasses need that)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@needs_data
def test_tokens_script_counts_calls_and_tokens_without_langextract(tmp_path: Path) -> None:
    out = tmp_path / "tokens.json"
    venv = tmp_path / "venv"
    done = run("bench/tokens.py", "--quick", "--skip-langextract", "--venv", str(venv),
               "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not venv.exists()
    result = json.loads(out.read_text())
    assert set(result["summary"]) == {"service", "instructor"}
    service, plain = result["summary"]["service"], result["summary"]["instructor"]
    assert {"sample", "case", "wikievents", "all"} <= set(service)
    assert service["all"]["articles"] == 5 and service["all"]["calls_per_article"] == 1.0
    assert result["targets"]["one_call_per_valid_answer"] is True
    # The same schema goes out with both; the service adds its instructions, not article text.
    # The service shows the model its schema less the fields it computes itself.
    assert 0 < service["all"]["schema_per_article"] < plain["all"]["schema_per_article"]
    assert (
        service["all"]["article_tokens_per_article"] == plain["all"]["article_tokens_per_article"]
    )
    assert service["all"]["instructions_per_article"] > plain["all"]["instructions_per_article"]
    sample = next(m for m in result["articles"]["service"] if m["id"] == "sample")
    assert sample["article"] == 642  # the sample's o200k_base tokens (DESIGN.md)
    assert result["machine"]["cores"] >= 1 and "bpe-openai" in result["machine"]["packages"]
    assert out.with_suffix(".png").read_bytes().startswith(PNG_MAGIC)
    assert "service      sample" in done.stdout and "targets:" in done.stdout


def test_token_counter_separates_article_instructions_and_schema() -> None:
    tokens = load("tokens")
    counter = tokens.TokenCounter()
    article = "Police arrested 12 protesters in Lyon on Monday."
    prompt = "Examples\nQ: An example.\nA: {}\n\n"
    body = {
        "messages": [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": f"{prompt}Q: {article}\nA: "},
        ],
        "response_format": {"type": "json_object"},
    }
    measure = tokens.Measure("a", "case", len(article))
    counter.add(measure, body, tokens.langextract_article)
    assert measure.calls == 1
    assert measure.article == counter.count(article)
    assert measure.schema == counter.count('{"response_format":{"type":"json_object"}}')
    assert measure.prompt == measure.article + measure.instructions + measure.schema
    assert measure.instructions >= counter.count("Answer in JSON.") + counter.count(prompt)


def test_service_article_is_the_text_between_the_nonce_delimiters() -> None:
    tokens = load("tokens")
    message = "Intro\n<<<ARTICLE ab12>>>\nThe text.\n<<<ARTICLE x>>>\n<<<END ARTICLE ab12>>>"
    assert tokens.service_article(message) == "The text.\n<<<ARTICLE x>>>"
    assert tokens.service_nonce(message) == "ab12"
    assert tokens.service_article("no delimiters") == ""


@needs_data
def test_quality_script_prints_its_configuration_and_writes_scores(tmp_path: Path) -> None:
    out = tmp_path / "quality.json"
    done = run("bench/quality.py", "--quick", "--out", str(out))
    assert done.returncode == 0, done.stderr
    config_line = next(
        line for line in done.stdout.splitlines() if line.startswith("configuration")
    )
    config = json.loads(config_line.split(":", 1)[1])
    assert config["backend"] == "offline" and config["model"] == "rules-v1"
    assert config["prompt_version"] and config["schema_version"]
    result = json.loads(out.read_text())
    assert result["configuration"] == config
    assert result["case2021"]["n"] == 20 and 0 <= result["case2021"]["macro_f1"] <= 1
    wiki = result["wikievents"]
    assert wiki["documents"] == 2 and wiki["summarised"] == 2
    assert wiki["mention_recall"]["total"] > 0 and wiki["place_recall"]["total"] > 0
    assert 0 <= wiki["mention_recall"]["recall"] <= wiki["mention_recall_type_only"]["recall"]
    plot = tmp_path / "quality-case-confusion.png"
    assert plot.read_bytes().startswith(PNG_MAGIC) and result["confusion_plot"] == plot.name
    assert "accuracy" in done.stdout and "mention recall" in done.stdout


def test_quality_script_refuses_an_unknown_backend(tmp_path: Path) -> None:
    done = run("bench/quality.py", "--backend", "nope", "--out", str(tmp_path / "q.json"))
    assert done.returncode == 2
    assert "unknown backend 'nope'" in done.stderr and "offline" in done.stderr
    assert not (tmp_path / "q.json").exists()


def test_kairos_types_map_to_compatible_event_types() -> None:
    quality = load("quality")
    bombing = quality.compatible_types("Conflict.Attack.DetonateExplode")
    assert "Explosions/Remote violence" in bombing and "Riots" not in bombing
    assert "Riots" in quality.compatible_types("Conflict.Attack.Unspecified")
    assert quality.compatible_types("Justice.ArrestJailDetain.Unspecified") == {
        "Strategic developments",
        "Crime",
    }
    assert quality.compatible_types("Contact.Contact.Broadcast") == frozenset()


def test_triggers_are_realigned_on_the_text() -> None:
    quality = load("quality")
    text = "Bomb kills 3 in SyriaThe army said"
    tokens = ["Bomb", "kills", "3", "in", "Syria", "The", "army", "said"]
    spans = quality.token_offsets(text, tokens)
    assert [text[s:e] for s, e in spans] == tokens
    with pytest.raises(ValueError, match="'tank' not found"):
        quality.token_offsets(text, ["Bomb", "tank"])


def event(start: int, end: int, place: dict[str, object] | None = None) -> Event:
    quote = {"quote": "x", "start": start, "end": end}
    data: dict[str, object] = {
        "id": "e1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "description": "A bomb exploded.",
        "evidence": [quote],
        "when": {"text": "Monday", "precision": "day", "derivation": "stated"},
        "modality": "asserted",
    }
    if place is not None:
        data["where"] = {**place, "evidence": [quote]}
    return Event.model_validate(data)


def test_a_mention_is_recalled_by_a_compatible_event_near_its_trigger() -> None:
    quality = load("quality")
    mention = quality.Mention("Conflict.Attack.DetonateExplode", 100, 106, ())
    assert quality.recalled(mention, [event(90, 104)], 50, anywhere=False)
    assert quality.recalled(mention, [event(150, 160)], 50, anywhere=False)
    assert not quality.recalled(mention, [event(157, 170)], 50, anywhere=False)
    assert quality.recalled(mention, [event(157, 170)], 50, anywhere=True)
    arrest = quality.Mention("Justice.ArrestJailDetain.Unspecified", 100, 106, ())
    assert not quality.recalled(arrest, [event(90, 104)], 50, anywhere=True)


def test_a_place_is_recalled_by_name_or_hierarchy_case_insensitively() -> None:
    quality = load("quality")
    events = [event(0, 1, {"name": "Deir ez-Zor", "region": "Deir ez-Zor", "country": "Syria"})]
    no_gazetteer = None  # text matches never consult it; no geonames id is set
    assert quality.place_recalled("SYRIA", events, no_gazetteer)
    assert quality.place_recalled("deir  ez-zor", events, no_gazetteer)
    assert not quality.place_recalled("Aleppo", events, no_gazetteer)
    assert not quality.place_recalled("Syria", [event(0, 1)], no_gazetteer)


def test_a_place_is_recalled_by_gazetteer_id_whatever_its_spelling() -> None:
    quality = load("quality")
    from service.normalize.gazetteer import Gazetteer

    place = {"name": "Kandahār city", "locality": "Kandahār", "geonames_id": 1138336}
    gazetteer = Gazetteer.open()
    try:
        assert quality.place_recalled("Kandahar", [event(0, 1, place)], gazetteer)
        assert not quality.place_recalled("Boston", [event(0, 1, place)], gazetteer)
    finally:
        gazetteer.close()
