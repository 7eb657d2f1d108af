"""RSS and Atom: one record per entry, dates in UTC, HTML turned into text."""

from __future__ import annotations

from pathlib import Path

from service.batch.feeds import FeedReader, html_to_text
from service.batch.records import Record, RecordError
from tests.conftest import FIXTURES

BATCH = FIXTURES / "batch"


def test_rss_entries_with_guid_link_or_nothing_to_go_by() -> None:
    path = BATCH / "gazette.rss"
    items = list(FeedReader().read(path))
    summary = [(type(i).__name__, i.id, getattr(i, "reason", None)) for i in items]
    assert summary == [
        ("Record", "gazette-2025-0303-bridge", None),
        ("Record", "https://gazette.example/2025/03/02/warehouse-fire", None),
        ("RecordError", "https://gazette.example/2025/03/01/photos", "empty_text"),
        ("RecordError", f"at:{path.name}#entry-4", "empty_text"),
    ]
    bridge, fire = items[0], items[1]
    assert isinstance(bridge, Record) and isinstance(fire, Record)
    assert bridge.text.splitlines() == [
        "The old stone bridge at Mirepoix was closed on Monday after engineers found cracks in"
        " two arches, the mayor said.",
        "Traffic is diverted over the bypass.",
    ]
    assert bridge.published_at == "2025-03-03T07:15:00+00:00"  # 08:15 +01:00, in UTC
    assert (bridge.url, bridge.title, bridge.source) == (
        "https://gazette.example/2025/03/03/bridge",
        "Old bridge closed after cracks found",
        "Valley Gazette",
    )
    # the full content wins over the teaser; its script is gone
    assert fire.text.startswith("Firefighters put out a blaze at a furniture warehouse")
    assert "teaser" not in fire.text and "track()" not in fire.text
    assert fire.published_at == "2025-03-02T22:40:00+00:00"
    assert str(items[3].locator) == f"{path}#entry-4"


def test_atom_entries_with_xhtml_and_text_content() -> None:
    items = list(FeedReader().read(BATCH / "courier.atom"))
    assert all(isinstance(i, Record) for i in items)
    storm, bus = items
    assert isinstance(storm, Record) and isinstance(bus, Record)
    assert storm.id == "tag:courier.example,2025:storm-lakeside"
    assert storm.url == "https://courier.example/news/storm-lakeside"
    assert storm.text.splitlines() == [
        "High winds cut power to about 4,000 homes across the county on Friday night, the grid"
        " operator said.",
        "Crews expected to restore supply by Sunday.",
    ]
    assert storm.published_at == "2025-02-08T08:30:00+00:00"
    assert storm.source == "Lakeside Courier"
    assert bus.id == "tag:courier.example,2025:school-bus"
    assert bus.url is None  # a tag: id is not a link
    assert bus.text.startswith("The county will open a school bus line")


def test_a_feed_over_the_cap_is_one_too_large_error() -> None:
    path = BATCH / "gazette.rss"
    (item,) = FeedReader(max_bytes=path.stat().st_size - 1).read(path)
    assert isinstance(item, RecordError) and item.reason == "too_large"
    assert item.id == f"at:{path.name}"


def test_a_malformed_feed_without_entries_is_one_invalid_record(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Gaz')
    empty = tmp_path / "empty.rss"
    empty.write_bytes(b"")
    for path in (broken, empty):
        (item,) = FeedReader().read(path)
        assert isinstance(item, RecordError) and item.reason == "invalid_record", path
        assert item.id == f"at:{path.name}"
        assert "feed" in item.detail


def test_a_valid_feed_without_entries_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "quiet.rss"
    path.write_text('<rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    assert list(FeedReader().read(path)) == []


def test_html_snippets_too_short_for_the_page_parser_still_give_their_text() -> None:
    assert html_to_text("<p>Two <b>arrests</b> in Nice.</p><p>More later.</p>") == (
        "Two arrests in Nice.\nMore later."
    )
    assert html_to_text("Plain words, no tags.") == "Plain words, no tags."
    assert html_to_text("<style>p {color: red}</style><script>x()</script>") == ""
    assert html_to_text("") == ""
