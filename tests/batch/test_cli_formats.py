"""`summarizer batch` over each archive format: one output line per input article, with the
right id, and an error line with its reason for each broken one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from service.batch.cli import register
from tests.batch.conftest import output_lines
from tests.batch.warc_files import FERRY, STORM, WarcBuilder
from tests.conftest import FIXTURES

BATCH = FIXTURES / "batch"
SITE = "https://harbour.example"
runner = CliRunner()


def batch(*args: str) -> tuple[int, str]:
    """Run `batch` with these arguments: the exit code and stderr."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    result = runner.invoke(app, ["batch", *args])
    return result.exit_code, " ".join(result.stderr.split())


def outcomes(out: Path) -> list[tuple[str, str]]:
    """(id, "ok" or the error reason) of each output line, in id order."""
    lines = output_lines(out)
    return sorted((line["id"], line.get("reason") or line["status"]) for line in lines)


def by_id(out: Path) -> dict[str, dict[str, Any]]:
    return {line["id"]: line for line in output_lines(out)}


def test_a_folder_of_html_and_text(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, stderr = batch(str(BATCH / "html"), "-o", str(out))
    assert code == 3, stderr
    assert "4 read, 2 done, 2 failed" in stderr
    assert outcomes(out) == [
        ("brief.txt", "ok"),
        ("nav-heavy.html", "ok"),
        ("no-article.htm", "empty_text"),
        ("scan.pdf", "unsupported_format"),
    ]
    article = by_id(out)["nav-heavy.html"]["summary"]["article"]
    assert article["title"] == "Library fire: archives saved"
    assert article["published_at"] == "2025-04-02"
    assert article["source"] == "Riverside Post"


def test_a_warc_with_pages_bookkeeping_and_a_cut_end(tmp_path: Path) -> None:
    builder = (
        WarcBuilder(tmp_path / "full.warc.gz")
        .info()
        .request(f"{SITE}/storm")
        .response(f"{SITE}/storm", STORM)
        .response(f"{SITE}/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
        .response(f"{SITE}/empty", b"")
        .response(f"{SITE}/latin", "<p>Caf\u00e9 ferm\u00e9</p>".encode("latin-1"))
        .response(f"{SITE}/ferry", FERRY)
        .response(f"{SITE}/ferry-again", FERRY)
    )
    data = builder.close().read_bytes()
    source = tmp_path / "crawl.warc.gz"
    cut = builder.offsets[-1] + 30
    source.write_bytes(data[:cut])
    out = tmp_path / "out.jsonl"
    code, stderr = batch(str(source), "-o", str(out))
    assert code == 3, stderr
    at = builder.offsets[-1]
    assert outcomes(out) == [
        (f"at:{source.name}@{at}", "invalid_record"),
        (f"{SITE}/empty", "empty_text"),
        (f"{SITE}/ferry", "ok"),
        (f"{SITE}/latin", "undecodable"),
        (f"{SITE}/storm", "ok"),
    ]
    lines = by_id(out)
    assert f"at byte {at}" in lines[f"at:{source.name}@{at}"]["detail"]
    article = lines[f"{SITE}/storm"]["summary"]["article"]
    assert (article["url"], article["source"]) == (f"{SITE}/storm", "harbour.example")


def test_nitf_files(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, stderr = batch(str(BATCH / "nitf-plain.xml"), str(BATCH / "storm.nitf"), "-o", str(out))
    assert code == 0, stderr
    assert outcomes(out) == [
        ("https://courier.example/news/storm-lakeside", "ok"),
        ("wire-2025-0412-brest", "ok"),
    ]
    article = by_id(out)["wire-2025-0412-brest"]["summary"]["article"]
    assert article["published_at"] == "2025-04-12T06:30:00+02:00"
    assert article["title"] == "Ferry with 212 passengers runs aground off Brest"
    assert article["source"] == "Atlantic Wire"


def test_newsml_g2_messages_and_items(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    inputs = [str(BATCH / name) for name in ("newsml-message.xml", "newsml-broken.xml")]
    code, stderr = batch(*inputs, "-o", str(out))
    assert code == 3, stderr
    assert outcomes(out) == [
        ("at:newsml-broken.xml:20", "invalid_record"),
        ("urn:newsml:wire.example:20250520:dam-1", "ok"),
        ("urn:newsml:wire.example:20250520:fire-2", "ok"),
        ("urn:newsml:wire.example:20250520:remote-3", "empty_text"),
        ("urn:newsml:wire.example:20250702:ok-1", "ok"),
    ]
    single = tmp_path / "single.jsonl"
    code, stderr = batch(str(BATCH / "newsml-item.xml"), "-o", str(single))
    assert code == 0, stderr
    assert outcomes(single) == [("urn:newsml:wire.example:20250601:vote-4", "ok")]


def test_rss_and_atom_feeds(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    rss, atom = BATCH / "gazette.rss", BATCH / "courier.atom"
    code, stderr = batch(str(rss), str(atom), "-o", str(out))
    assert code == 3, stderr
    assert outcomes(out) == [
        (f"at:{rss.name}#entry-4", "empty_text"),
        ("gazette-2025-0303-bridge", "ok"),
        ("https://gazette.example/2025/03/01/photos", "empty_text"),
        ("https://gazette.example/2025/03/02/warehouse-fire", "ok"),
        ("tag:courier.example,2025:school-bus", "ok"),
        ("tag:courier.example,2025:storm-lakeside", "ok"),
    ]
    article = by_id(out)["gazette-2025-0303-bridge"]["summary"]["article"]
    assert article["published_at"] == "2025-03-03T07:15:00+00:00"
    assert article["source"] == "Valley Gazette"


def test_an_xml_file_is_read_by_its_root_and_the_format_can_be_forced(tmp_path: Path) -> None:
    feed = tmp_path / "export.xml"
    feed.write_bytes((BATCH / "courier.atom").read_bytes())
    out = tmp_path / "out.jsonl"
    code, stderr = batch(str(feed), "-o", str(out))
    assert code == 0, stderr
    assert len(output_lines(out)) == 2
    odd = tmp_path / "wire.txt"
    odd.write_bytes((BATCH / "storm.nitf").read_bytes())
    forced = tmp_path / "forced.jsonl"
    code, stderr = batch(str(odd), "-o", str(forced), "--input-format", "nitf")
    assert code == 0, stderr
    assert outcomes(forced) == [("https://courier.example/news/storm-lakeside", "ok")]
