"""The README shows a real offline response for the sample: this test keeps it true.

`UPDATE_GOLDEN=1` rewrites the block after a deliberate change to the offline backend.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from service.article import Article
from service.config import Settings
from service.pipeline import Pipeline

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(
    r"(<!-- sample-response:start -->\n```json\n)(.*?)(\n```\n<!-- sample-response:end -->)",
    re.DOTALL,
)


def _without_timing(summary: dict[str, Any]) -> dict[str, Any]:
    summary["extraction"].pop("latency_ms", None)
    return summary


async def test_readme_sample_response_is_what_the_service_returns(sample_text: str) -> None:
    from service.backends import build_backends, close_backends

    settings = Settings()
    backends = build_backends(settings)
    try:
        article = Article(text=sample_text, published=date(2025, 1, 9))
        summary = await Pipeline(settings, backends).summarize(article)
    finally:
        await close_backends(backends)
    actual = summary.model_dump(mode="json")
    readme = README.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        shown = json.dumps(actual, indent=2, ensure_ascii=False)
        readme = BLOCK.sub(lambda m: m.group(1) + shown + m.group(3), readme)
        README.write_text(readme, encoding="utf-8")
    match = BLOCK.search(readme)
    assert match, "README lacks the sample-response block"
    assert _without_timing(json.loads(match.group(2))) == _without_timing(actual)
