"""Token estimates of articles and prompts, before any backend call.

Counted with OpenAI's o200k_base encoding (the `bpe-openai` tokenizer: offline, no
download): exact for GPT-4o-class models, an estimate for others (Anthropic's tokenizer
counts somewhat more on most text; leave a margin in `context_tokens`). A text never has
more tokens than UTF-8 bytes, so a text whose byte length is within a limit needs no count.
The encoding is loaded once, on first use; counts are serialised (the tokenizer object
keeps per-call state), and callers run long texts in a worker thread.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

ENCODING = "o200k_base"

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _encoding() -> Any:
    if "encoding" not in _state:
        with warnings.catch_warnings():
            # bpe-openai 0.1 reads its data with importlib.resources.open_binary, deprecated.
            warnings.simplefilter("ignore", DeprecationWarning)
            import bpe_openai  # type: ignore[import-untyped]

            _state["encoding"] = bpe_openai.get_encoding(ENCODING)
    return _state["encoding"]


def count_tokens(text: str) -> int:
    """The o200k_base tokens of `text` (special-token markers count as plain text)."""
    if not text:
        return 0
    with _lock:
        return len(_encoding().encode_ordinary(text))


def surely_within(text: str, limit: int) -> bool:
    """True when `text` cannot have more than `limit` tokens (without counting them)."""
    return len(text) <= limit and len(text.encode("utf-8")) <= limit
