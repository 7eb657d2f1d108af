"""CSV: a broken quote or an oversized row is one error line, and no other row is lost."""

from __future__ import annotations

import csv
import tempfile
import tracemalloc
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from service.batch.csvrows import PIECE_BYTES, CsvReader
from service.batch.readers import FieldMap
from service.batch.records import Record, RecordError
from tests.batch.conftest import article, output_lines
from tests.batch.test_cli import invoke

FIELDS = FieldMap()


def read(path: Path, max_bytes: int = 1 << 20) -> list[Record | RecordError]:
    return list(CsvReader(FIELDS, max_bytes).read(path))


def outcome(items: list[Record | RecordError]) -> list[tuple[str, str | None, int | None]]:
    return [(i.id, getattr(i, "reason", None), i.locator.line) for i in items]


def table(path: Path, *rows: str) -> Path:
    path.write_text("id,text\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def test_an_unterminated_quote_is_one_error_and_the_rows_it_swallowed_are_read(
    tmp_path: Path,
) -> None:
    path = table(
        tmp_path / "in.csv",
        f'r1,"{article(1)}"',
        f'r2,"{article(2)}',  # the quote never closes: it would take every row after it
        *(f"r{n},{article(n).replace(',', '')}" for n in (3, 4, 5)),
    )
    items = read(path)
    assert outcome(items) == [
        ("r1", None, 2),
        ("r2", "invalid_record", 3),
        ("r3", None, 4),
        ("r4", None, 5),
        ("r5", None, 6),
    ]
    error = items[1]
    assert isinstance(error, RecordError)
    assert error.detail == "a quote opened on line 3 never closes; lines 4-6 read again"
    assert all(isinstance(i, Record) and i.text.startswith("Police") for i in items[2:])


def test_through_the_command_every_row_has_one_line_and_the_counts_are_honest(
    tmp_path: Path,
) -> None:
    path = table(
        tmp_path / "in.csv",
        *(f'r{n},"{article(n)}"' if n != 2 else f'r2,"{article(2)}' for n in range(1, 6)),
    )
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(path), "-o", str(out))
    assert code == 3, stderr
    lines = output_lines(out)
    assert sorted(line["id"] for line in lines) == ["r1", "r2", "r3", "r4", "r5"]
    assert "5 read, 4 done, 1 failed" in stderr
    broken = next(line for line in lines if line["status"] == "error")
    assert (broken["id"], broken["locator"]) == ("r2", f"{path}:3")


def test_a_stray_quote_closing_a_broken_one_later_is_reported_not_swallowed(
    tmp_path: Path,
) -> None:
    path = table(
        tmp_path / "in.csv",
        "r1,one",
        'r2,"two never closed',
        "r3,three",
        'r4,a 5" pipe',  # closes r2's quote: strict parsing refuses what follows
        "r5,five",
    )
    assert outcome(read(path)) == [
        ("r1", None, 2),
        ("r2", "invalid_record", 3),
        ("r3", None, 4),
        ("r4", None, 5),  # its quote, inside no quoted field of its own, is a character
        ("r5", None, 6),
    ]


def test_quoted_fields_over_several_lines_and_escaped_quotes_still_read(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b'id,text\r\nr1,"First paragraph.\r\n\r\nSecond, with ""quotes""."\r\nr2,last')
    items = read(path)
    assert outcome(items) == [("r1", None, 2), ("r2", None, 5)]
    assert items[0].text == 'First paragraph.\r\n\r\nSecond, with "quotes".'  # type: ignore[union-attr]


def test_an_oversized_row_is_too_large_held_by_no_one_and_the_next_rows_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'id,text\nbig,"{"word " * 400_000}\n{"more " * 400_000}"\n')
        handle.write(f'small,"{article(1)}"\n')
    limit = csv.field_size_limit()
    tracemalloc.start()
    try:
        items = read(path, max_bytes=100_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome(items) == [("big", "too_large", 2), ("small", None, 4)]
    assert items[0].detail == "row over 100000 bytes (lines 2-3)"  # type: ignore[union-attr]
    assert peak < 1_000_000, peak  # the 4 MB row was never held
    assert csv.field_size_limit() == limit  # the process-wide limit is restored


def test_a_broken_header_is_one_error_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('id,"text\nr1,one\n', encoding="utf-8")
    (item,) = read(path)
    assert (item.id, getattr(item, "reason", None)) == ("at:in.csv:1", "invalid_record")
    assert item.detail == "a quote opened in the header row (line 1) never closes"  # type: ignore[union-attr]


def test_quotes_inside_unquoted_fields_and_after_a_closing_quote_read_as_before(
    tmp_path: Path,
) -> None:
    path = table(tmp_path / "in.csv", 'r1,a 5" pipe', 'r2,"quoted"tail', "r3,plain")
    items = read(path)
    assert outcome(items) == [("r1", None, 2), ("r2", None, 3), ("r3", None, 4)]
    assert [i.text for i in items] == ['a 5" pipe', "quotedtail", "plain"]  # type: ignore[union-attr]


def test_an_escaped_quote_split_across_read_pieces_is_still_one(tmp_path: Path) -> None:
    filler = "x" * (PIECE_BYTES - 5)  # puts the first quote of `""` at the end of a piece
    path = table(tmp_path / "in.csv", f'r1,"{filler}""y"', "r2,next")
    items = read(path)
    assert outcome(items) == [("r1", None, 2), ("r2", None, 3)]
    assert items[0].text == f'{filler}"y'  # type: ignore[union-attr]


CELL = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t;é')), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(CELL.filter(lambda t: t.strip()), min_size=1, max_size=6))
def test_whatever_the_csv_module_writes_reads_back_row_for_row(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows([f"r{n}", text] for n, text in enumerate(texts))
        items = read(path)
    assert [(i.id, getattr(i, "text", None)) for i in items] == [
        (f"r{n}", text) for n, text in enumerate(texts)
    ]
