"""The language of an article (ISO 639-1), by py3langid's model, loaded once on first use.

Decisions: only two-letter ISO 639-1 codes come back (py3langid also knows languages
that have only three-letter codes, and "zxx"; the best two-letter one is taken). A
text with no letters at all has no language: it gets "en", the service's default,
so callers always receive a valid code. The first 10,000 characters decide.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

DEFAULT_LANGUAGE = "en"
MAX_CHARS = 10_000
_lock = threading.Lock()
_state: dict[str, Any] = {}


def _identifier() -> Any:
    with _lock:
        if "identifier" not in _state:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _state["identifier"] = LanguageIdentifier.from_model_file(MODEL_FILE)
        return _state["identifier"]


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language; "en" when the text has no letters."""
    return _detect(text[:MAX_CHARS])


@functools.lru_cache(maxsize=256)
def _detect(sample: str) -> str:
    """Cached: one request asks for its article's language more than once (extraction,
    then the checks), and the model's ranking is the costly part."""
    if not any(ch.isalpha() for ch in sample):
        return DEFAULT_LANGUAGE
    ranked: list[tuple[str, float]] = _identifier().rank(sample)
    for label, _score in ranked:
        if len(label) == 2:
            return label
    return DEFAULT_LANGUAGE
