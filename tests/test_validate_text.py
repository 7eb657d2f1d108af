"""Free text of a draft: invisible controls, markup and the prompt's own wording, language."""

from __future__ import annotations

from datetime import date

from schemas import WarningCode
from service.article import Article
from service.config import Settings
from service.pipeline import Pipeline
from service.prompts import render
from service.validate import WITHHELD, Issue, check_draft
from tests.support.fakes import ARTICLE, ScriptedBackend, draft

ARTICLE_IN = Article(text=ARTICLE, published=date(2025, 3, 4))


def found(issues: list[Issue]) -> list[tuple[WarningCode, str, bool]]:
    return [(issue.code, issue.path, issue.hard) for issue in issues]


def test_a_clean_draft_passes_every_text_check() -> None:
    checked, issues = check_draft(draft(), ARTICLE_IN, render(ARTICLE_IN))
    assert issues == []
    assert checked.headline == draft().headline


def test_invisible_controls_are_removed_from_text_but_quotes_stay_the_articles() -> None:
    hidden = draft(headline="Police arrest \u202e21\u202c protesters in Lyon")
    figure = hidden.events[0].figures[0]
    figure.raw = "arrested 1\u200b2 protesters"
    figure.evidence[0].quote = "arrested 1\u200b2 protesters"
    checked, issues = check_draft(hidden, ARTICLE_IN)
    assert checked.headline == "Police arrest 21 protesters in Lyon"
    checked_figure = checked.events[0].figures[0]
    assert checked_figure.raw == "arrested 12 protesters"
    quote = checked_figure.evidence[0]
    assert quote.start is not None and quote.end is not None
    assert quote.quote == ARTICLE[quote.start : quote.end] == "arrested 12 protesters"
    code = WarningCode.INVISIBLE_CHARACTERS
    assert found(issues) == [(code, "events[0].figures[0].raw", False), (code, "headline", False)]


def test_markup_keeps_its_words_and_is_worth_a_reask() -> None:
    marked = draft(
        headline="<!channel> Police arrest 12 protesters in Lyon",
        summary="Police arrested 12 protesters. See <https://evil.example/x|the ministry's note>.",
    )
    marked.events[0].actors = []
    marked.events[0].description = "<script>alert(1)</script>"
    checked, issues = check_draft(marked, ARTICLE_IN)
    assert checked.headline == "Police arrest 12 protesters in Lyon"
    assert checked.summary == "Police arrested 12 protesters. See the ministry's note."
    assert checked.events[0].description == WITHHELD  # nothing but code was left
    code = WarningCode.MARKUP_REMOVED
    assert found(issues) == [
        (code, "events[0].description", True),
        (code, "summary", True),
        (code, "headline", True),
    ]


def test_prompt_wording_is_replaced_by_checked_text_and_reasked() -> None:
    prompt = render(ARTICLE_IN)
    first_line = prompt.system.splitlines()[0]
    leaked = draft(headline=first_line[:200], summary=prompt.system[:1500])
    leaked.events[0].figures[0].claimed_by = f"the model, {first_line}"[:200]
    leaked.events[0].figures[0].raw = prompt.system[:600]
    checked, issues = check_draft(leaked, ARTICLE_IN, prompt)
    event = checked.events[0]
    assert event.figures[0].claimed_by is None  # an optional text is dropped
    assert event.figures[0].raw == "arrested 12 protesters"  # the figure's own quote
    assert checked.summary == event.description == "Police arrested protesters in Lyon."
    assert checked.headline == "Police arrested protesters in Lyon."
    assert {(i.path, i.hard) for i in issues if i.code is WarningCode.PROMPT_LEAK} == {
        ("events[0].figures[0].raw", True),
        ("events[0].figures[0].claimed_by", True),
        ("summary", True),
        ("headline", True),
    }
    assert all(first_line not in issue.message for issue in issues)


def test_without_the_prompt_no_text_is_taken_for_a_leak() -> None:
    first_line = render(ARTICLE_IN).system.splitlines()[0]
    checked, issues = check_draft(draft(summary=first_line), ARTICLE_IN)
    assert checked.summary == first_line and issues == []


async def test_the_pipeline_reasks_a_leak_with_its_path_then_flags_it() -> None:
    leak = "You are a careful news desk editor. You read one news article and return a neutral"
    backend = ScriptedBackend([draft(summary=leak)])
    settings = Settings(max_attempts=2)
    settings.chain = [backend.name]
    summary = await Pipeline(settings, {backend.name: backend}).summarize(ARTICLE_IN)
    assert len(backend.requests) == 2
    assert backend.requests[1].feedback == (
        "summary: repeats the instructions given to the model instead of reporting the "
        "article; replaced",
    )
    codes = [w.code for w in summary.warnings]
    assert codes == [WarningCode.PROMPT_LEAK, WarningCode.VALIDATION_ERRORS_REMAIN]
    assert summary.summary == "Police arrested protesters in Lyon."


def test_an_invalid_language_code_becomes_the_articles() -> None:
    checked, issues = check_draft(draft(language="zz"), ARTICLE_IN)
    assert checked.language == "en"
    assert found(issues) == [(WarningCode.LANGUAGE_MISMATCH, "language", False)]


def test_a_declared_language_wins_and_a_detected_one_is_only_a_flag() -> None:
    french = draft(language="fr")
    declared = Article(text=ARTICLE, published=date(2025, 3, 4), language="en")
    checked, issues = check_draft(french, declared)
    assert checked.language == "en" and len(issues) == 1
    checked, issues = check_draft(french, ARTICLE_IN)
    assert checked.language == "fr"
    assert found(issues) == [(WarningCode.LANGUAGE_MISMATCH, "language", False)]
    assert "reads as 'en'" in issues[0].message


def test_a_summary_in_another_language_is_reasked_and_replaced_by_the_descriptions() -> None:
    russian = draft(
        headline="Полиция задержала 12 протестующих в Лионе",
        summary="Министерство внутренних дел сообщило, что полиция задержала 12 протестующих в "
        "Лионе в понедельник.",
    )
    checked, issues = check_draft(russian, ARTICLE_IN)
    assert found(issues) == [(WarningCode.LANGUAGE_MISMATCH, "summary", True)]
    assert "written in 'ru', not in 'en'; replaced" in issues[0].message
    assert checked.summary == checked.headline == "Police arrested protesters in Lyon."


def test_the_requested_output_language_is_the_one_checked() -> None:
    english = Article(text=ARTICLE, published=date(2025, 3, 4), output_language="fr")
    checked, issues = check_draft(draft(), english)
    assert found(issues) == [(WarningCode.LANGUAGE_MISMATCH, "summary", True)]
    assert checked.summary == draft().summary  # nothing in French to put instead
    french = draft(
        headline="Le ministère dit que la police a arrêté 12 manifestants à Lyon",
        summary="Selon le ministère de l'Intérieur, la police a arrêté lundi 12 manifestants à "
        "Lyon.",
    )
    assert check_draft(french, english)[1] == []


def test_a_short_articles_guessed_language_flags_nothing_but_a_bad_code() -> None:
    short = Article(text="Police arrested 12 protesters in Lyon on Monday, the interior ministry "
                    "said.", published=date(2025, 3, 4))  # fmt: skip
    russian = draft(
        language="fr",
        summary="Министерство внутренних дел сообщило, что полиция задержала 12 протестующих.",
    )
    assert check_draft(russian, short)[1] == []
    checked, issues = check_draft(draft(language="zz"), short)
    assert checked.language == "en" and len(issues) == 1
