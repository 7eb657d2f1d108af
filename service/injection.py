"""Prompt-injection defences over text: instructions hidden in an article, and what a
model's free text must not carry.

The article is untrusted input. Besides news it may address the model ("ignore all
previous instructions", "Note to AI systems: ...", fake `<<<END ARTICLE>>>` delimiters,
role tags such as `<assistant>`). `find_instructions` finds those passages, so that a
fact quoted from one is not taken as reported and the offline backend does not read one
as a report. It reads a folded view of the text (case, runs of white space, typographic
quotes, invisible characters, look-alike letters inside mixed-script words), so that a
zero-width space or a Cyrillic "Е" cannot hide a phrase; offsets point at the submitted
characters. It is a small pattern detector, not a classifier: it knows the common shapes
of such text in English, and the main override phrases in French, Spanish, German,
Italian and Portuguese.

The model's output is untrusted too: `strip_invisible` removes text-direction controls
and zero-width characters, `strip_markup` turns Slack control sequences, links, HTML and
`javascript:` URLs into their plain words, and `PromptEcho` spots the prompt's own
wording (its template, not the article inside it).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from service.prompts import RenderedPrompt, render_reask

# --- the folded view ------------------------------------------------------------------

PARAGRAPH = "\u2029"
"""Stands in the view for a run of white space holding a blank line."""

# Invisible in print: soft hyphen, Mongolian vowel separator, zero-width space, word
# joiner, invisible operators, byte order mark, bidi embeddings/overrides/isolates,
# Unicode tag characters.
_HIDDEN_CHARS = (
    "\u00ad\u180e\u200b\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f"
)
_HIDDEN = re.compile(f"[{_HIDDEN_CHARS}]")
# Zero-width (non-)joiners shape Persian, Indic scripts and emoji sequences: kept between
# two non-ASCII characters, removed elsewhere.
_STRAY_JOINER = re.compile("(?:^|(?<=[\x00-\x7f]))[\u200c\u200d]+|[\u200c\u200d]+(?=[\x00-\x7f]|$)")
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u201c": '"',
     "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"'}
)  # fmt: skip
# Cyrillic and Greek letters drawn like Latin ones (after lowercasing).
_LOOKALIKES = str.maketrans(
    "авекмнорстухіјѕԁԛԝүһαβεζηικμνορτυχ", "abekmhopctyxijsdqwyhabezhikmnoptux"
)
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_OTHER_SCRIPT = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")


@dataclass(frozen=True)
class _View:
    """A folded copy of a text and the way back to the original offsets.

    The map is piecewise: view character `v` at or after breakpoint `(vs, os)` comes from
    original character `os + (v - vs)`.
    """

    text: str
    view_starts: list[int]
    origin_starts: list[int]

    def origin(self, index: int) -> int:
        """Original offset of the view's character `index`."""
        at = bisect_right(self.view_starts, index) - 1
        return self.origin_starts[at] + index - self.view_starts[at]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original `[start, end)` of the view's `[start, end)`."""
        return self.origin(start), self.origin(end - 1) + 1


def _unconfused(text: str) -> str:
    """`text` with the look-alike letters of its mixed-script words read as Latin ones."""
    if text.isascii():
        return text
    pieces: list[str] = []
    cursor = 0
    for match in _WORD.finditer(text):
        word = match[0]
        if not word.isascii() and _LATIN.search(word) and _OTHER_SCRIPT.search(word):
            pieces += [text[cursor : match.start()], word.lower().translate(_LOOKALIKES)]
            cursor = match.end()
    return "".join(pieces) + text[cursor:] if pieces else text


# What the view does not copy as is: white space runs, invisible characters, non-ASCII.
_SPECIAL = re.compile(
    r"(?: (?=\s)|[^\S ])\s*"  # a run of white space other than one plain space
    f"|[\u200c\u200d{_HIDDEN_CHARS}]+"
    f"|[^\\x00-\\x7f\\s\u200c\u200d{_HIDDEN_CHARS}]+"
)


def fold_view(text: str) -> _View:
    """The folded view of `text` that the detector reads."""
    source = _unconfused(text)
    pieces: list[str] = []
    view_starts: list[int] = []
    origin_starts: list[int] = []
    length = 0

    def copy(piece: str, origin: int) -> None:
        nonlocal length
        view_starts.append(length)
        origin_starts.append(origin)
        pieces.append(piece)
        length += len(piece)

    cursor = 0
    for match in _SPECIAL.finditer(source):
        if match.start() > cursor:
            copy(source[cursor : match.start()].lower().translate(_QUOTES), cursor)
        run = match[0]
        cursor = match.end()
        if run[0].isspace():
            breaks = sum(run.count(ch) for ch in "\n\r\u2028\u2029")
            copy(PARAGRAPH if breaks > 1 else "\n" if breaks else " ", match.start())
        elif not (_HIDDEN.match(run) or run[0] in "\u200c\u200d"):  # hidden: dropped
            folded = unicodedata.normalize("NFKC", run).translate(_QUOTES).lower()
            if len(folded) == len(run):
                copy(folded, match.start())
            else:
                for offset, ch in enumerate(run):
                    for piece in unicodedata.normalize("NFKC", ch).translate(_QUOTES).lower():
                        copy(piece, match.start() + offset)
    if cursor < len(source):
        copy(source[cursor:].lower().translate(_QUOTES), cursor)
    return _View("".join(pieces), view_starts, origin_starts)


# --- what reads as an instruction -----------------------------------------------------

_READER = (
    r"(?:(?:ai|automated|automatic|autonomous|machine|language|llm|gpt|"
    r"summari[sz]ing|summari[sz]ation)\s(?:systems?|models?|assistants?|agents?|tools?|"
    r"summar(?:y|ies)|summari[sz]ers?|readers?|crawlers?|bots?|pipelines?|programs?)|"
    r"llms?|chatbots?|summari[sz]ers?)\b"
)
# Subjects that only a text speaking to machines gives orders to ("AI systems must ..."
# is ordinary news about regulation).
_MACHINES = (
    r"(?:(?:automated|automatic|summari[sz]ing)\s(?:systems?|models?|tools?|summar(?:y|ies)|"
    r"summari[sz]ers?|readers?|pipelines?)|summari[sz]ers)"
)
_OBJECTS = r"(?:instructions?|rules|prompts?|guidelines|directions|directives|constraints)"
_OUTPUT_VERBS = (
    r"(?:return|add|write|report|say|state|output|include|print|set|mark|label|reply|"
    r"respond|list|give|use|ignore|replace|insert|append|date|tag|classify|describe|tell)"
)
_STRONG = re.compile(
    "|".join(
        (
            # Overrides (English, then French, Spanish, German, Italian, Portuguese).
            rf"\b(?:ignore|disregard|forget|override)\s(?:all\s|any\s)?(?:of\s)?(?:the\s|"
            rf"these\s|those\s)?(?:previous|prior|above|earlier|preceding|foregoing|original|"
            rf"initial|system)\s{_OBJECTS}",
            rf"\b(?:ignore|disregard|forget|override)\s(?:all\s|any\s)?(?:of\s)?your\s(?:\w+\s)?"
            rf"(?:{_OBJECTS}|programming|training|format)",
            r"\b(?:ignore|disregard|forget)\s(?:all|any)\s(?:the\s)?(?:instructions?|prompts?|"
            r"directives)\b",
            r"\bignore\s(?:the\s)?(?:summary|output|json|response|answer|required)\sformat\b",
            r"\bignore\s(?:the\s)?(?:article|text|story|content|document)\s(?:below|above)\b",
            r"\bignore\s(?:everything|anything)\s(?:above|below|else|before)\b",
            r"\b(?:ignorez|oubliez|ignore|oublie)\s(?:(?:toutes\s)?(?:vos|tes)|toutes\sles)\s"
            r"(?:\w+\s)?(?:instructions|consignes|règles)\b",
            r"\b(?:les\s)?(?:instructions|consignes)\s(?:précédentes|antérieures|ci-dessus)\b",
            r"\b(?:ignora|ignore|olvida|olvide)\s(?:todas\s)?(?:las\s|tus\s|sus\s)"
            r"(?:instrucciones|indicaciones|reglas)\b",
            r"\b(?:ignoriere|ignorieren\ssie|vergiss|vergessen\ssie)\s(?:alle\s)?(?:\w+\s)?"
            r"(?:anweisungen|instruktionen|regeln|vorgaben)\b",
            r"\b(?:ignora|dimentica)\s(?:tutte\s)?(?:le\s)?(?:istruzioni|regole)\s(?:precedenti)",
            r"\b(?:ignore|ignora|esqueça)\s(?:todas\s)?(?:as\s)?(?:instruções|regras)\s"
            r"(?:anteriores)",
            # Text addressed to an automated reader.
            rf"\b(?:note|notes|message|instructions?|notice|memo|reminder|warning|request|"
            rf"directive|attention)\s(?:to|for)\s(?:all\s|any\s|the\s)?{_READER}",
            rf"^(?:for|to)\s(?:all\s|any\s|the\s)?{_READER}\s?[:,]",
            rf"\b{_MACHINES}\s(?:must|should|shall|need\sto|have\sto|are\s(?:required|"
            rf"instructed|asked|expected)\sto)\s(?:\w+\s)?{_OUTPUT_VERBS}\b",
            r"\bwhoever\s(?:is\s)?(?:summari[sz]|process|pars)\w*\sthis\b",
            r"\bwhatever\sthe\s(?:text|article|story|source|original)\ssays\b",
            r"\bwhatever\sthe\srequested\s(?:language|format)\b",
            r"\bassume\s(?:that\s)?(?:today|the\s(?:current\s|publication\s)?date)\sis\b",
            r"^(?:assistant|ai|chatbot|model|llm|gpt|chatgpt)\s?,\s(?:please\s)?(?:instead|ignore|"
            r"forget|do|write|call|return|output|stop|print|reply|respond|send|add|give|tell|"
            r"repeat)\b",
            r"\binstead\sof\ssummari[sz]ing\b",
            r"\b(?:before|when|after|while|as|once|if)\syou\ssummari[sz]e\b",
            r"\bif\syou\sare\san?\s(?:ai|language\smodel|llm|assistant|bot|chatbot|automated)",
            r"\b(?:note|message|consigne|instructions?)\s(?:aux|pour\sles|à\sl'attention\sdes)\s"
            r"(?:systèmes|modèles|outils|programmes|intelligences|assistants|ia)\b",
            r"\b(?:systèmes|modèles|outils)\s(?:automatiques|automatisés|d'ia)\sdoivent\b",
            r"\b(?:nota|mensaje|instrucciones?)\s(?:para|a)\s(?:los\s)?(?:sistemas|modelos)\s"
            r"(?:automáticos|automatizados|de\sia)\b",
            r"\b(?:hinweis|anweisung|nachricht)\s(?:an|für)\s(?:alle\s)?(?:ki|automatisierte|"
            r"automatische)\b",
            # Role play and the model's own configuration.
            r"\byou\sare\snow\s(?:an?\s|the\s)?(?:\w+\s){0,2}(?:assistant|ai|model|bot|chatbot|"
            r"persona|agent)\b",
            r"\byou\sare\snow\sin\s(?:developer|debug|god|dan|jailbreak|unrestricted)\smode\b",
            r"\bvous\sêtes\s(?:maintenant|désormais)\s(?:un|une)\s(?:\w+\s)?(?:assistant|ia|"
            r"modèle)\b",
            r"\bsystem\soverride\b",
            r"\b(?:debug|developer|god|jailbreak|unrestricted)\smode\s(?:is\s)?(?:on|enabled|"
            r"activated)\b",
            r"\bact\sas\s(?:an?\s)?(?:unrestricted|unfiltered|different|new)\s(?:assistant|ai|"
            r"model)\b",
            r"\byour\s(?:system\s)?prompt\b",
            r"\b(?:copy|print|reveal|repeat|show|output|paste|quote|cite|list|share|disclose|dump|"
            r"leak|explain|include|set\sto|containing|holding|with)\s(?:\w+\s){0,3}?your\s"
            r"(?:\w+\s)?(?:instructions|configuration|programming|guidelines|rules)\b",
            r"\b(?:rules|instructions|guidelines)\syou\s(?:were|have\sbeen|are)\sgiven\b",
            rf"(?:^|:\s)(?:the\s|your\s|all\s|every\s|each\s)?(?:summar(?:y|ies)|headlines?)\s"
            rf"(?:must|should|shall|has\sto|have\sto|needs?\sto)"
            rf"\s(?:\w+\s)?(?:{_OUTPUT_VERBS}|be|read|mention|contain|start|begin|show|claim)\b",
            r"\b(?:le|les)\srésumés?\sdoi(?:t|vent)\s(?:dire|indiquer|mentionner|affirmer)\b",
        )
    )
)
# Every pattern of _STRONG needs one of these words (by their first five letters): a
# sentence without any is not searched, which keeps the detector fast on long texts.
_PIVOTS = frozenset(
    "ignor disre forge overr oubli instr consi olvid vergi verge dimen esque ai auton autom "
    "machi langu llm llms gpt summa chatb chatg whoev whate assum assis model inste you your "
    "vous systè modèl outil progr intel ia siste hinwe anwei nachr syste mode act headl "
    "résum".split()
)
# An order at the start of a clause ("Add ...", "Date every event ...") counts when the
# sentence also names what the model writes. A verb that is also a common noun or
# adjective ("State media", "Report cards") needs an object right after it.
_DETERMINER = (
    r"(?:(?:the|a|an|every|each|all|your|this|these|that|those|it|them|its|their|only|no|"
    r"any|some)\b|[<\[\"'])"
)
_IMPERATIVE = re.compile(
    r"(?:add|append|assume|cite|classify|delete|describe|explain|give|include|insert|omit|"
    r"prepend|pretend|put|remove|rephrase|replace|reply|respond|rewrite|send|spell|"
    r"translate|wrap|write|ajoutez|écrivez|indiquez|mettez|rédigez|remplacez|signalez|"
    r"traduisez|répondez|citez|datez|donnez|insérez|copiez|añade|agrega|escribe|pon|indica|"
    r"reemplaza|traduce|responde|schreibe|füge|setze|gib|ersetze|übersetze|antworte)\s"
    r"|(?:begin|call|change|copy|date|double|fill|format|hide|label|leave|list|make|mark|"
    rf"name|output|print|quote|render|repeat|report|return|say|set|start|state|switch|tag|"
    rf"tell|treat|triple|use)\s{_DETERMINER}"
)
# What the model writes: named anywhere in the sentence ...
_OUTPUT = re.compile(
    r"\byour\s(?:\w+\s)?(?:headline|summary|answer|output|response|reply|json|description|"
    r"quotes?)\b"
    r"|\b(?:the|a|an|each|every|all)\s(?:\w+\s)?(?:headline|summary|json|text|language|"
    r"evidence|description|event|date|figure|quote)\s(?:fields?|block|key|list|object|"
    r"quotes?|line)\b"
    r"|\bthe\s(?:headline|summary|summaries|json|quote|event\sdescription)\b(?!\s(?:of|"
    r"judgm?ents?|executions?|inflation|rate|figures?|dismissal|proceedings?|trial|"
    r"offen[cs]es?|court|report))"
    r"|\b(?:le|du|au|votre|chaque)\s(?:titre|résumé|champ|json)\b"
)
# ... or, for these plainer words, in the clause of the order itself ("Date every event").
_OUTPUT_ITEMS = re.compile(
    r"\b(?:each|every|all)\s(?:\w+\s)?(?:events?|figures?|quotes?|fields?|numbers?)\b"
    r"|\bchaque\s(?:événement|chiffre|citation)\b"
)
_SENTENCE_END = re.compile(r"[.!?…]+['\")\]]*(?=[ \n\u2029]|$)|[\n\u2029]")
_CLAUSE = re.compile(r"[,:;] ")
_CLAUSE_REACH = 60
# Delimiters and role tags that have no business in a news text.
_ROLE = r"(?:system|assistant|user|human|ai|model|developer|bot)"
_TAG = re.compile(
    r"<<<[^<>\n\u2029]{0,80}>>>"
    r"|<\|[a-z_ ]{2,20}\|>"
    rf"|</?\s?(?:{_ROLE}|instructions?|prompt|article|document|context|input|output|inst|"
    r"sys|im_start|im_end)\s?>"
    r"|\[/?(?:system|inst|instructions?|assistant|user|sys|admin|developer)\]"
    r"|#{2,} ?(?:system|instructions?|new instructions?|assistant|user|prompt|response)\b"
    r"|-{3,} ?(?:end of (?:the )?(?:article|text|document|input)|begin (?:system|"
    r"instructions?)) ?-{3,}"
)
_ROLE_LINE = re.compile(r"(?:^|(?<=[\n\u2029]))(?:system|assistant|user|human|developer)\s?:")
_ARTICLE_WORDS = frozenset({"article", "document", "text", "input", "data", "content", "story"})
_KINDS = ("delimiter", "role", "phrase")
MAX_PAYLOAD = 2000
"""Longest stretch (folded characters) that a fake opening tag taints when nothing ends it."""


@dataclass(frozen=True)
class Instruction:
    """A passage of a text that addresses the model instead of reporting news."""

    start: int
    end: int
    kind: str
    """'delimiter' (fake boundary or role tag and what it wraps), 'role' (a line given to a
    chat role) or 'phrase' (a sentence that gives the model orders)."""


def find_instructions(text: str) -> list[Instruction]:
    """The passages of `text` that read as instructions to the model, in text order."""
    view = fold_view(text)
    spans = _tag_spans(view.text) + _role_lines(view.text) + _phrase_spans(view.text)
    found = [
        Instruction(*view.span(start, end), kind)
        for start, end, kind in _merged(spans)
        if end > start
    ]
    return found


def _tag_effect(tag: str) -> str:
    """'open' when instructions follow the tag, 'close' when it ends them."""
    words = re.sub(r"[^a-z]+", " ", tag).split()
    closing = tag.startswith(("</", "[/")) or "end" in words
    if _ARTICLE_WORDS & set(words):
        return "open" if closing else "close"  # leaving the article; back in the article
    return "close" if closing else "open"


def _tag_spans(view: str) -> list[tuple[int, int, str]]:
    tags = list(_TAG.finditer(view))
    spans: list[tuple[int, int, str]] = []
    for index, tag in enumerate(tags):
        end = tag.end()
        if _tag_effect(tag[0]) == "open":
            limit = min(len(view), end + MAX_PAYLOAD)
            paragraph = view.find(PARAGRAPH, end, limit)
            end = paragraph if paragraph >= 0 else limit
            if index + 1 < len(tags):
                end = min(end, tags[index + 1].start())
        spans.append((tag.start(), end, "delimiter"))
    return spans


def _role_lines(view: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _ROLE_LINE.finditer(view):
        stops = [i for i in (view.find("\n", match.end()), view.find(PARAGRAPH, match.end()))
                 if i >= 0]  # fmt: skip
        spans.append((match.start(), min(stops, default=len(view)), "role"))
    return spans


def _sentences(view: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(view):
        if match.end() > start:
            bounds.append((start, match.end()))
        start = match.end()
    if start < len(view):
        bounds.append((start, len(view)))
    return bounds


def _ordered(sentence: str) -> bool:
    """An order given at a clause start, in a sentence that names the model's output."""
    starts = [0] + [m.end() for m in _CLAUSE.finditer(sentence, 0, _CLAUSE_REACH)]
    for start in starts:
        if not _IMPERATIVE.match(sentence, start):
            continue
        clause = _CLAUSE.search(sentence, start)
        clause_end = clause.start() if clause else len(sentence)
        if _OUTPUT.search(sentence, start) or _OUTPUT_ITEMS.search(sentence, start, clause_end):
            return True
    return False


def _phrase_spans(view: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    previous = False
    for start, end in _sentences(view):
        sentence = view[start:end].strip()
        lead = len(view[start:end]) - len(view[start:end].lstrip())
        pivots = any(word[:5] in _PIVOTS for word in _WORD.findall(sentence))
        hit = (pivots and bool(_STRONG.search(sentence))) or _ordered(sentence)
        # The next order of the same paragraph belongs to the payload too.
        follows = previous and view[start - 1 : start] != PARAGRAPH
        if hit or (follows and _IMPERATIVE.match(sentence)):
            spans.append((start + lead, end, "phrase"))
            previous = True
        else:
            previous = False
    return spans


def _merged(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans, and spans apart only by white space, joined."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            last = merged[-1]
            strongest = min(last[2], kind, key=_KINDS.index)
            merged[-1] = (last[0], max(last[1], end), strongest)
        else:
            merged.append((start, end, kind))
    return merged


def overlaps(spans: list[Instruction], start: int, end: int) -> bool:
    """True when `[start, end)` shares a character with one of `spans`."""
    return any(span.start < end and start < span.end for span in spans)


# --- what output text must not carry --------------------------------------------------


def strip_invisible(text: str) -> str:
    """`text` without text-direction controls and invisible characters."""
    return _STRAY_JOINER.sub("", _HIDDEN.sub("", text))


_MARKUP: tuple[tuple[re.Pattern[str], str], ...] = (
    # Code: removed with its content.
    (re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL), ""),
    (re.compile(r"<!--.*?-->", re.DOTALL), ""),
    # Slack: a labelled link or mention keeps its label; a bare mention goes.
    (
        re.compile(r"<(?:[!@#]|(?:https?|mailto|ftp|tel):)[^<>|]*\|([^<>]*)>", re.IGNORECASE),
        r"\1",
    ),  # fmt: skip
    (re.compile(r"<[!@#][^<>]*>"), ""),
    (re.compile(r"<((?:https?|mailto|ftp|tel):[^<>\s]*)>", re.IGNORECASE), r"\1"),
    # Markdown links and images keep their text.
    (re.compile(r"!?\[([^\[\]]*)\]\(\s*(?:[^()\s]|\([^()]*\))*\s*(?:\"[^\"]*\")?\s*\)"), r"\1"),
    # HTML tags go, their words stay.
    (re.compile(r"</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>"), ""),
    # Script URLs go whole.
    (re.compile(r"\b(?:javascript|vbscript|livescript)\s*:\S*", re.IGNORECASE), ""),
    (re.compile(r"\bdata:[a-z]+/[\w.+-]+[;,]\S*", re.IGNORECASE), ""),
)


def strip_markup(text: str) -> str:
    """`text` with Slack control sequences, links, HTML and script URLs made plain words."""
    plain = text
    for pattern, replacement in _MARKUP:
        plain = pattern.sub(replacement, plain)
    if plain == text:
        return text
    return re.sub(r"[ \t]{2,}", " ", re.sub(r"\s+([.,;:!?])", r"\1", plain)).strip()


# --- the prompt's own wording ---------------------------------------------------------

ECHO_MIN_CHARS = 32
"""A line of the template this long, found whole in free text, is an echo of the prompt."""
ECHO_WORDS = 8
"""So is a run of this many consecutive words of the template."""


def _plain(text: str) -> str:
    return " ".join(fold_view(text).text.split())


class PromptEcho:
    """The wording of a rendered prompt outside the article, to spot it in free text.

    Lines and runs of words that the article itself contains are not echoes: a model may
    quote the article, whatever it says.
    """

    def __init__(self, prompt: RenderedPrompt, article: str) -> None:
        nonce = re.escape(prompt.nonce)
        user = re.sub(
            rf"<<<(ARTICLE|METADATA) {nonce}>>>.*?<<<END \1 {nonce}>>>",
            "\n",
            prompt.user,
            flags=re.DOTALL,
        )
        reask = render_reask(["-"], nonce=prompt.nonce)
        template = "\n".join((prompt.system, user, reask)).replace(prompt.nonce, "\n")
        self.nonce = prompt.nonce
        self._article = article
        self._article_forms: tuple[str, str] | None = None
        lines = (_plain(line) for line in template.splitlines())
        self.lines = sorted({line for line in lines if len(line) >= ECHO_MIN_CHARS})
        words = re.findall(r"\w+", _plain(template))
        self.runs = {tuple(words[i : i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1)}

    def found_in(self, text: str) -> bool:
        """True when `text` repeats the prompt's own wording (or its nonce)."""
        if self.nonce in text:
            return True
        plain = _plain(text)
        if any(line in plain and line not in self._article_text()[0] for line in self.lines):
            return True
        words = re.findall(r"\w+", plain)
        for i in range(len(words) - ECHO_WORDS + 1):
            run = tuple(words[i : i + ECHO_WORDS])
            if run in self.runs and f" {' '.join(run)} " not in self._article_text()[1]:
                return True
        return False

    def _article_text(self) -> tuple[str, str]:
        """The article folded, as text and as its words between single spaces (cached)."""
        if self._article_forms is None:
            plain = _plain(self._article)
            words = re.findall(r"\w+", plain)
            self._article_forms = (plain, f" {' '.join(words)} ")
        return self._article_forms
