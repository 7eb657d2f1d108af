"""Trigger lexicons (English and French) for ACLED's event types and ordinary news.

Each cue is a class of evidence (a weapon, a crowd, a capture of territory ...) written
as one regular expression per language, after the ACLED codebook's definitions. Cues
add weight to sub-event types; `classify` also applies the codebook's combination
rules (a protest met with force, an attack on civilians, who took a town).
"""

from __future__ import annotations

import re
from functools import cache

from service.backends.offline.cues import Cue
from service.backends.offline.lexicon_en import EN
from service.backends.offline.lexicon_fr import FR
from service.normalize.textutil import WORD_AHEAD


@cache
def patterns(lang: str) -> tuple[tuple[Cue, re.Pattern[str]], ...]:
    """Compiled cue patterns for a language (English for languages without a lexicon)."""
    table = FR if lang == "fr" else EN
    return tuple(
        (cue, re.compile(rf"(?<![\w-]){WORD_AHEAD}(?:{source})(?![\w])", re.IGNORECASE))
        for cue, source in table.items()
    )
