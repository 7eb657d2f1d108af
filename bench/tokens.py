"""Prompt tokens and LLM calls per article: this service, langextract and a plain instructor call.

The same articles (the sample, CASE 2021 snippets, WikiEvents documents) go through three
systems, each pointed at one fake OpenAI-compatible server (tests/support/fake_llm.py) that
captures every request body:

- service: the pipeline with an `openai` backend (mode "tools"); the fake answers each
  article with the offline backend's draft of it, a schema-valid, grounded answer;
- instructor: one plain `create(response_model=SummaryDraft)` call, a one-line user prompt
  and our schema, no pipeline; the same answers;
- langextract: `lx.extract` with its defaults for OpenAI models (1,000-character chunks, one
  pass, a JSON schema derived from the examples; one worker, which changes speed, not tokens),
  a description of the same task (our type list included) and one worked example; the fake
  answers in langextract's own `{"extractions": [...]}` format. It runs in its own virtualenv,
  bench/.venv-langextract, created on first use from PyPI with the versions pinned in
  bench/langextract-constraints.txt (`--skip-langextract` leaves it out).

Tokens are o200k_base tokens (bpe-openai) of what each request carries: the message texts
(the article's own text counted apart from the rest, "instructions") and the compact JSON of
`tools` / `tool_choice` / `response_format` ("schema"). The few tokens of the chat framing per
message are not counted. Costs are for prompt (input) tokens only: the fake's answers say
nothing about real output lengths.

    .venv/bin/python bench/tokens.py [--quick] [--skip-langextract] [--out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import instructor
import matplotlib
import openai

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support (the fake LLM server) is not installed

from schemas import SUB_EVENT_TYPES, SummaryDraft  # noqa: E402
from service.article import Article  # noqa: E402
from service.backends import build_backends, close_backends  # noqa: E402
from service.backends.offline import OfflineBackend  # noqa: E402
from service.config import Settings  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from tests.support.fake_llm import FakeLLM, Reply, ok  # noqa: E402
from tests.support.fakes import ARTICLE as EXAMPLE_TEXT  # noqa: E402

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "fr-mali-diangassagou.txt"
CASE = SHARED / "eval" / "case2021-task2-dev.tsv"
WIKIEVENTS = SHARED / "eval" / "wikievents-dev.jsonl"
OUT = ROOT / "bench" / "results" / "tokens.json"
VENV = ROOT / "bench" / ".venv-langextract"
CONSTRAINTS = ROOT / "bench" / "langextract-constraints.txt"
LANGEXTRACT = "langextract[openai]==1.7.1"
MODEL = "gpt-4o"
SYSTEMS = ("service", "instructor", "langextract")
PRICES = {"gpt-4o-mini": 0.15, "gpt-4o": 2.50}
PRICES_SOURCE = (
    "OpenAI's list prices (platform.openai.com/docs/pricing) as published in March-June 2026; "
    "not re-checked from this offline machine"
)
PRICES_DATE = "2026-06"
SCHEMA_KEYS = ("tools", "tool_choice", "response_format")
SERVICE_SET = ("start", "end", "grounding", "grounded", "Grounding")
"""Schema fields the service fills in and the model is told to leave null (and their enum)."""
GAZETTEER_SET = ("latitude", "longitude", "geonames_id")
"""Place fields that the gazetteer can resolve from the place's name."""

PLAIN_PROMPT = "Summarise the events this news article reports."
LANGEXTRACT_PROMPT = (
    "Extract the events a news article reports, in order of appearance, with exact text from "
    "the article for every extraction (no paraphrase, no overlapping extractions). Classes: "
    "event (the words saying what happened; attributes event_type, sub_event_type, modality: "
    "asserted, denied, planned, threatened or background for a past event recalled as context); "
    "date (ISO date, resolved against the publication date); place (locality, region, country, "
    "ISO country_code, precision 1 the place itself, 2 near it or an offset, 3 only a region); "
    "actor (a neutral label, a type such as state_forces, rebel_or_armed_group, civilians, "
    "protesters, and a role: initiator, target or other); figure (kind: killed, injured, "
    "captured_or_arrested, missing, neutralised, displaced, seized, other; value, the lowest "
    "credible number; claimed_by); attribution (who gives the account, source_type, status). "
    "Keep loaded words only as written; neutralised is not killed. Types and sub-types: "
    + "; ".join(
        f"{kind.value}: {', '.join(s.value for s in subs)}"
        for kind, subs in SUB_EVENT_TYPES.items()
    )
    + "."
)
LANGEXTRACT_EXAMPLE: dict[str, Any] = {
    "text": EXAMPLE_TEXT,
    "extractions": [
        {"class": "actor", "text": "Police",
         "attributes": {"label": "French police", "type": "state_forces", "role": "initiator"}},
        {"class": "event", "text": "arrested",
         "attributes": {"event_type": "Strategic developments", "sub_event_type": "Arrests",
                        "modality": "asserted"}},
        {"class": "figure", "text": "12 protesters",
         "attributes": {"kind": "captured_or_arrested", "value": 12,
                        "claimed_by": "interior ministry"}},
        {"class": "place", "text": "Lyon",
         "attributes": {"locality": "Lyon", "country": "France", "country_code": "FR",
                        "precision": 1}},
        {"class": "date", "text": "on Monday", "attributes": {"date": "2025-03-03"}},
        {"class": "attribution", "text": "the interior ministry said",
         "attributes": {"source_type": "official", "status": "claimed"}},
        {"class": "figure", "text": "Two officers were injured",
         "attributes": {"kind": "injured", "value": 2, "claimed_by": "interior ministry"}},
    ],
}  # fmt: skip

# Runs inside the langextract virtualenv: a config line, then one article per line on stdin;
# one result line per article on stdout once every call for it is done.
_DRIVER = """
import json, sys, warnings
warnings.simplefilter("ignore")
import langextract as lx
cfg = json.loads(sys.stdin.readline())
examples = [lx.data.ExampleData(text=e["text"], extractions=[lx.data.Extraction(
    extraction_class=x["class"], extraction_text=x["text"], attributes=x.get("attributes"))
    for x in e["extractions"]]) for e in cfg["examples"]]
for line in sys.stdin:
    doc = json.loads(line)
    try:
        out = lx.extract(doc["text"], prompt_description=cfg["prompt"], examples=examples,
                         model_id=cfg["model"], api_key="not-needed", model_url=cfg["base_url"],
                         temperature=0.0, show_progress=False, max_workers=1)
        result = {"id": doc["id"], "extractions": len(out.extractions or [])}
    except Exception as exc:
        result = {"id": doc["id"], "error": type(exc).__name__}
    print(json.dumps(result), flush=True)
"""


@dataclass(frozen=True)
class Doc:
    """One article of the benchmark corpus."""

    id: str
    corpus: str
    text: str
    language: str
    published: date | None = None

    def article(self) -> Article:
        """The article as the pipeline takes it."""
        return Article(text=self.text, id=self.id, language=self.language, published=self.published)


@dataclass
class Measure:
    """What one system sent for one article."""

    id: str
    corpus: str
    chars: int
    calls: int = 0
    instructions: int = 0
    schema: int = 0
    article: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def prompt(self) -> int:
        """Every prompt token sent for the article."""
        return self.instructions + self.schema + self.article


def load_corpus(case_rows: int, wiki_docs: int) -> list[Doc]:
    """The sample, the first `case_rows` CASE snippets and the first `wiki_docs` documents."""
    docs = [Doc("sample", "sample", SAMPLE.read_text(encoding="utf-8"), "fr", date(2025, 1, 9))]
    with CASE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row, _ in zip(reader, range(case_rows), strict=False):
            docs.append(Doc(f"case-{row['id']}", "case", row["EventSnippet"], "en"))
    with WIKIEVENTS.open(encoding="utf-8") as handle:
        for line, _ in zip(handle, range(wiki_docs), strict=False):
            record = json.loads(line)
            docs.append(Doc(record["doc_id"], "wikievents", record["text"], "en"))
    return docs


class TokenCounter:
    """o200k_base token counts of captured request bodies."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # bpe-openai 0.1.4 reads its tables with the deprecated importlib.resources API.
            warnings.simplefilter("ignore", DeprecationWarning)
            import bpe_openai  # type: ignore[import-untyped]

        self.encoding = bpe_openai.get_encoding("o200k_base")

    def count(self, text: str) -> int:
        """Tokens of `text` (special-token strings count as ordinary text)."""
        return len(self.encoding.encode_ordinary(text))

    def add(self, measure: Measure, body: Any, article_part: Callable[[str], str]) -> None:
        """Add one request's tokens to `measure`; `article_part` finds the article in a message."""
        measure.calls += 1
        if not isinstance(body, dict):
            measure.errors.append("request body was not JSON")
            return
        for message in body.get("messages") or []:
            content = message.get("content")
            text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
            part = article_part(text) if message.get("role") == "user" else ""
            article = self.count(part) if part else 0
            measure.article += article
            measure.instructions += max(self.count(text) - article, 0)
        schema = {key: body[key] for key in SCHEMA_KEYS if key in body}
        if schema:
            measure.schema += self.count(_compact(schema))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_ARTICLE_BLOCK = re.compile(r"<<<ARTICLE (\w+)>>>\n(.*)\n<<<END ARTICLE \1>>>", re.DOTALL)


def service_article(text: str) -> str:
    """The article inside the service's nonce-delimited block."""
    match = _ARTICLE_BLOCK.search(text)
    return match.group(2) if match else ""


def service_nonce(text: str) -> str | None:
    """The per-request nonce of the service's article delimiters."""
    match = _ARTICLE_BLOCK.search(text)
    return match.group(1) if match else None


def plain_article(text: str) -> str:
    """The article after the one-line plain prompt."""
    prefix = PLAIN_PROMPT + "\n\n"
    return text[len(prefix) :] if text.startswith(prefix) else ""


def langextract_article(text: str) -> str:
    """The chunk after langextract's last "Q: ", before its closing "A: "."""
    start = text.rfind("\nQ: ")
    end = text.rfind("\nA: ")
    return text[start + 4 : end] if 0 <= start < end else ""


def offline_drafts(docs: list[Doc]) -> dict[str, SummaryDraft]:
    """The offline backend's draft of each article: the valid answer the fake gives."""
    backend = OfflineBackend("offline")
    try:
        return {doc.id: backend.summarize(doc.article()) for doc in docs}
    finally:
        backend.close()


@contextmanager
def measuring(
    fake: FakeLLM, doc: Doc, reply: Reply, counter: TokenCounter, part: Callable[[str], str]
) -> Iterator[Measure]:
    """Reset the fake to answer `reply`; once the block is done, count what it received."""
    fake.reset()
    fake.set_default(reply)
    measure = Measure(doc.id, doc.corpus, len(doc.text))
    yield measure
    for call in fake.calls:
        counter.add(measure, call.body, part)


async def run_service(
    fake: FakeLLM, docs: list[Doc], drafts: dict[str, SummaryDraft], counter: TokenCounter
) -> list[Measure]:
    """Each article through the pipeline with an `openai` backend pointed at the fake."""
    settings = Settings(backends={"llm": fake.backend_config("openai", model=MODEL)}, chain=["llm"])
    backends = build_backends(settings)
    pipeline = Pipeline(settings, backends)
    measures: list[Measure] = []
    try:
        for doc in docs:
            with measuring(fake, doc, ok(drafts[doc.id]), counter, service_article) as measure:
                try:
                    await pipeline.summarize(doc.article())
                except Exception as exc:  # noqa: BLE001 - a failure is a measured outcome
                    measure.errors.append(type(exc).__name__)
            measures.append(measure)
    finally:
        await close_backends(backends)
    return measures


async def run_instructor(
    fake: FakeLLM, docs: list[Doc], drafts: dict[str, SummaryDraft], counter: TokenCounter
) -> list[Measure]:
    """Each article as one plain instructor call with our schema (its default retries)."""
    sdk = openai.AsyncOpenAI(api_key="not-needed", base_url=fake.base_url)
    client = instructor.from_openai(sdk)
    measures: list[Measure] = []
    try:
        for doc in docs:
            with measuring(fake, doc, ok(drafts[doc.id]), counter, plain_article) as measure:
                try:
                    await client.create(
                        model=MODEL,
                        response_model=SummaryDraft,
                        messages=[{"role": "user", "content": f"{PLAIN_PROMPT}\n\n{doc.text}"}],
                    )
                except Exception as exc:  # noqa: BLE001 - a failure is a measured outcome
                    measure.errors.append(type(exc).__name__)
            measures.append(measure)
    finally:
        await sdk.close()
    return measures


def langextract_answer(draft: SummaryDraft) -> dict[str, Any]:
    """The draft's events in langextract's output format (what its resolver parses)."""
    extractions = [
        {
            "event": event.evidence[0].quote,
            "event_attributes": {
                "event_type": event.event_type.value,
                "sub_event_type": event.sub_event_type.value,
                "modality": event.modality.value,
            },
        }
        for event in draft.events
        if event.evidence
    ]
    return {"extractions": extractions}


def ensure_langextract(venv: Path) -> Path:
    """The langextract interpreter, the virtualenv created or repaired first if needed."""
    python = venv / "bin" / "python"
    wanted = LANGEXTRACT.split("==")[1]
    if python.exists() and _installed_version(python) == wanted:
        return python
    steps = [[sys.executable, "-m", "venv", str(venv)]] if not python.exists() else []
    steps.append(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS), LANGEXTRACT]
    )
    for step in steps:
        print(f"$ {' '.join(step)}", file=sys.stderr)  # noqa: T201 - progress of a setup step
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.splitlines()[-15:])
            raise SystemExit(f"could not install {LANGEXTRACT} into {venv}:\n{tail}")
    return python


def _installed_version(python: Path) -> str | None:
    probe = "import importlib.metadata as m; print(m.version('langextract'))"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def run_langextract(
    fake: FakeLLM,
    docs: list[Doc],
    drafts: dict[str, SummaryDraft],
    counter: TokenCounter,
    python: Path,
) -> list[Measure]:
    """Each article through `lx.extract` in the langextract virtualenv, one at a time."""
    config = {
        "prompt": LANGEXTRACT_PROMPT,
        "examples": [LANGEXTRACT_EXAMPLE],
        "model": MODEL,
        "base_url": fake.base_url,
    }
    measures: list[Measure] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(python), "-c", _DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        stdin, stdout = process.stdin, process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(config) + "\n")
            for doc in docs:
                reply = ok(langextract_answer(drafts[doc.id]))
                with measuring(fake, doc, reply, counter, langextract_article) as measure:
                    stdin.write(json.dumps({"id": doc.id, "text": doc.text}) + "\n")
                    stdin.flush()
                    line = stdout.readline()
                    if not line:
                        log.seek(0)
                        tail = "\n".join(log.read().splitlines()[-15:])
                        raise SystemExit(f"the langextract run stopped:\n{tail}")
                    result = json.loads(line)
                    measure.errors.extend([result["error"]] if "error" in result else [])
                measures.append(measure)
        finally:
            stdin.close()
            process.wait(timeout=60)
    return measures


def summarise(measures: list[Measure]) -> dict[str, Any]:
    """Means per article, calls, and the cost of 1,000 such articles at each price."""
    n = len(measures)
    if not n:
        return {"articles": 0}

    def mean(values: list[int]) -> float:
        return round(statistics.fmean(values), 1)

    prompt = mean([m.prompt for m in measures])
    return {
        "articles": n,
        "calls_per_article": mean([m.calls for m in measures]),
        "calls_max": max(m.calls for m in measures),
        "one_call_articles": sum(1 for m in measures if m.calls == 1),
        "failed_articles": sum(1 for m in measures if m.errors),
        "prompt_tokens_per_article": prompt,
        "instructions_per_article": mean([m.instructions for m in measures]),
        "schema_per_article": mean([m.schema for m in measures]),
        "article_tokens_per_article": mean([m.article for m in measures]),
        "usd_per_1000_articles": {
            model: round(prompt * 1000 * price / 1_000_000, 3) for model, price in PRICES.items()
        },
    }


def aggregate(results: dict[str, list[Measure]]) -> dict[str, dict[str, Any]]:
    """Per system: each corpus and all articles together."""
    table: dict[str, dict[str, Any]] = {}
    for system, measures in results.items():
        corpora = sorted({m.corpus for m in measures}, key=["sample", "case", "wikievents"].index)
        table[system] = {c: summarise([m for m in measures if m.corpus == c]) for c in corpora}
        table[system]["all"] = summarise(measures)
    return table


def _strip(value: Any, drop: Callable[[str], bool]) -> Any:
    """A JSON value without the object keys that `drop` selects (and emptied `required`)."""
    if isinstance(value, dict):
        kept = {k: _strip(v, drop) for k, v in value.items() if not drop(k)}
        if isinstance(kept.get("required"), list):
            kept["required"] = [name for name in kept["required"] if not drop(name)]
        return kept
    if isinstance(value, list):
        return [_strip(item, drop) for item in value]
    return value


def service_breakdown(body: dict[str, Any], counter: TokenCounter) -> dict[str, Any]:
    """Where the service's fixed prompt tokens go, and what some reductions would save."""
    messages = body["messages"]
    system_text = messages[0]["content"]
    nonce = service_nonce(messages[1]["content"])
    user = messages[1]["content"]
    wrapper = counter.count(user) - counter.count(service_article(user))
    tools = body.get("tools") or []
    parameters = tools[0]["function"]["parameters"] if tools else {}
    schema = counter.count(_compact({k: body[k] for k in SCHEMA_KEYS if k in body}))
    defs = parameters.get("$defs", {})

    def without(drop: Callable[[str], bool]) -> int:
        return counter.count(_compact(_strip(parameters, drop)))

    full = counter.count(_compact(parameters))
    return {
        "system_message": counter.count(system_text),
        "system_message_before_nonce": counter.count(system_text.split(nonce)[0])
        if nonce
        else None,
        "user_message_wrapper": wrapper,
        "schema": schema,
        "schema_parameters": full,
        "schema_by_definition": dict(
            sorted(
                ((name, counter.count(_compact(value))) for name, value in defs.items()),
                key=lambda item: -item[1],
            )
        ),
        "schema_descriptions": full - without(lambda key: key == "description"),
        "schema_service_set_fields": full - without(lambda key: key in SERVICE_SET),
        "schema_gazetteer_fields": full - without(lambda key: key in GAZETTEER_SET),
    }


def machine(python: Path | None) -> dict[str, Any]:
    """Cores, Python and the versions of the packages measured."""
    packages = {p: metadata.version(p) for p in ("openai", "instructor", "bpe-openai", "pydantic")}
    if python is not None:
        packages["langextract"] = _installed_version(python) or "missing"
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": packages,
    }


def plot(table: dict[str, dict[str, Any]], path: Path) -> None:
    """Stacked bars: article / instruction / schema tokens per article, per corpus and system."""
    corpora = [c for c in ("sample", "case", "wikievents") if c in table["service"]]
    systems = [s for s in SYSTEMS if s in table]
    parts = [
        ("article_tokens_per_article", "article", "#4c72b0"),
        ("instructions_per_article", "instructions", "#dd8452"),
        ("schema_per_article", "schema", "#55a868"),
    ]
    figure, axes = plt.subplots(1, len(corpora), figsize=(4 * len(corpora), 4.5), squeeze=False)
    for axis, corpus in zip(axes[0], corpora, strict=True):
        bottom = [0.0] * len(systems)
        for key, label, colour in parts:
            values = [float(table[s][corpus][key]) for s in systems]
            axis.bar(systems, values, bottom=bottom, label=label, color=colour)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for x, (system, total) in enumerate(zip(systems, bottom, strict=True)):
            calls = table[system][corpus]["calls_per_article"]
            axis.text(x, total, f"{total:,.0f}\n{calls:g} call(s)", ha="center", va="bottom")
        axis.set_title(f"{corpus} (n={table['service'][corpus]['articles']})")
        axis.set_ylim(0, max(bottom) * 1.25)
    axes[0][0].set_ylabel("prompt tokens per article (o200k_base)")
    axes[0][0].legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def report(table: dict[str, dict[str, Any]]) -> str:
    """A plain-text table of the headline figures."""
    lines = [
        f"{'system':12} {'corpus':11} {'n':>3} {'calls':>6} {'prompt':>8} {'instr':>7} "
        f"{'schema':>7} {'article':>8} {'$/1k 4o-mini':>13}"
    ]
    for system, corpora in table.items():
        for corpus, row in corpora.items():
            lines.append(
                f"{system:12} {corpus:11} {row['articles']:>3} {row['calls_per_article']:>6} "
                f"{row['prompt_tokens_per_article']:>8} {row['instructions_per_article']:>7} "
                f"{row['schema_per_article']:>7} {row['article_tokens_per_article']:>8} "
                f"{row['usd_per_1000_articles']['gpt-4o-mini']:>13}"
            )
    return "\n".join(lines)


def targets(table: dict[str, dict[str, Any]], results: dict[str, list[Measure]]) -> dict[str, Any]:
    """The issue's two targets, as measured, and how many articles meet the first one."""
    service = results["service"]
    result: dict[str, Any] = {
        "one_call_per_valid_answer": all(m.calls == 1 and not m.errors for m in service)
    }
    if "langextract" in results:
        result["fewer_prompt_tokens_than_langextract"] = {
            corpus: row["prompt_tokens_per_article"]
            < table["langextract"][corpus]["prompt_tokens_per_article"]
            for corpus, row in table["service"].items()
        }
        theirs = {m.id: m.prompt for m in results["langextract"]}
        fewer = [m.chars for m in service if m.prompt < theirs[m.id]]
        result["articles_with_fewer_tokens_than_langextract"] = f"{len(fewer)} of {len(service)}"
        result["shortest_such_article_chars"] = min(fewer, default=None)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=int, default=50, help="CASE snippets (first N rows)")
    parser.add_argument("--wiki", type=int, default=10, help="WikiEvents documents (first N)")
    parser.add_argument("--quick", action="store_true", help="3 snippets and 1 document")
    parser.add_argument("--skip-langextract", action="store_true", help="no langextract run")
    parser.add_argument("--venv", type=Path, default=VENV, help="langextract's virtualenv")
    parser.add_argument("--out", type=Path, default=OUT, help="results JSON (PNG beside it)")
    args = parser.parse_args(argv)
    if args.quick:
        args.case, args.wiki = 3, 1
    return args


async def measure_all(
    fake: FakeLLM, docs: list[Doc], drafts: dict[str, SummaryDraft], counter: TokenCounter
) -> dict[str, list[Measure]]:
    """The service and plain instructor runs."""
    return {
        "service": await run_service(fake, docs, drafts, counter),
        "instructor": await run_instructor(fake, docs, drafts, counter),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every system over the corpus, write the results and the plot, print a table."""
    args = parse_args(argv)
    python = None if args.skip_langextract else ensure_langextract(args.venv)
    docs = load_corpus(args.case, args.wiki)
    drafts = offline_drafts(docs)
    counter = TokenCounter()
    with FakeLLM(capture_bodies=True) as fake:
        results = asyncio.run(measure_all(fake, docs, drafts, counter))
        fake.reset()
        fake.set_default(ok(drafts["sample"]))
        asyncio.run(run_service(fake, docs[:1], drafts, counter))
        breakdown = service_breakdown(fake.calls[0].body, counter)
        if python is not None:
            results["langextract"] = run_langextract(fake, docs, drafts, counter, python)
    table = aggregate(results)
    output = {
        "what": "prompt tokens (o200k_base) and LLM calls per article, side by side",
        "command": " ".join(["bench/tokens.py", *(sys.argv[1:] if argv is None else argv)]),
        "date": date.today().isoformat(),
        "machine": machine(python),
        "model_named": MODEL,
        "prices_usd_per_million_input_tokens": {
            **PRICES, "source": PRICES_SOURCE, "as_of": PRICES_DATE
        },
        "settings": {
            "service": "pipeline, openai backend, mode tools, max_attempts 3",
            "instructor": "from_openai, Mode.TOOLS, default max_retries, one-line user prompt",
            "langextract": "lx.extract defaults for OpenAI: max_char_buffer 1000, "
            "extraction_passes 1, schema constraints from the example; one example",
            "langextract_prompt_tokens": counter.count(LANGEXTRACT_PROMPT),
        },
        "summary": table,
        "targets": targets(table, results),
        "service_prompt_breakdown": breakdown,
        "articles": {system: [asdict(m) for m in ms] for system, ms in results.items()},
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
    plot(table, args.out.with_suffix(".png"))
    print(report(table))  # noqa: T201 - a benchmark's report
    print(f"targets: {json.dumps(output['targets'])}")  # noqa: T201
    print(f"service prompt: {json.dumps(breakdown)}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
