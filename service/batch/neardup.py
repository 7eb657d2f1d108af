"""Near-duplicates: MinHash signatures of word shingles and a compact LSH band table.

A wire story republished with a changed first line, an added "UPDATE" line or another
byline is the same article for the data desk. Each summarised record gets a MinHash
signature (datasketch) of its word shingles; its LSH band hashes go into a table that
points at its output line. A new record whose bands meet a summarised one is compared
with that line's stored signature (`minhash` field) and, by estimated Jaccard similarity:

- at or above REUSE_THRESHOLD it reuses the earlier answer (`near_duplicate_of`);
- at or above REPORT_THRESHOLD it is summarised, and its line says `similar_to`.

Parameters, and why:

- SHINGLE_WORDS = 5: shingles are word 5-grams of the white-space-normalised,
  case-folded text. Shorter shingles let two different reports of one outlet match on
  stock phrases ("police said on", boilerplate); longer ones punish every small edit.
- NUM_PERM = 128 permutations: the estimate's standard error is sqrt(J(1-J)/128), about
  0.04 around the thresholds; the signature is 512 bytes (684 in base64 on the line).
- LSH: BANDS = 16 bands of ROWS = 4 hash values (the first 64 of the 128). A pair with
  similarity s becomes a candidate with probability 1-(1-s^4)^16: 0.64 at 0.5, 0.99 at
  0.7, 0.9998 at 0.8; two unrelated stories (s ~ 0.02) almost never do. Candidates are
  then checked on the full signature, so a false candidate costs one line read.
- REPORT_THRESHOLD = 0.5 and REUSE_THRESHOLD = 0.7, from the measurements in
  tests/batch/test_neardup.py on a 314-word wire story: a rewritten 40-word first
  paragraph keeps Jaccard 0.77, an added UPDATE header 0.94, another byline 0.97; two
  different protest reports of the same outlet with the same boilerplate stay at 0.02.
  A short story with its lede rewritten falls between the thresholds: summarised anew,
  and reported. A reused answer is re-checked against the new text, so quotes of the
  changed lines become ungrounded warnings; an answer with a figure the new text does
  not state (an updated toll) is not reused: that record is summarised anew.

Memory: datasketch's `MinHashLSH` keeps a Python set per bucket, measured at 7.5 kB per
record; 100,000 records would hold 750 MB. This table keeps, per summarised record,
16 (band hash, line offset) pairs in sorted numpy arrays (256 bytes) plus a dict of
recent entries merged in every FLUSH_ENTRIES: about 300 bytes per record, measured over
100,000 records. Texts and signatures stay in the output file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from functools import cache

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash  # type: ignore[import-untyped]

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
BANDS = 16
ROWS = 4
REPORT_THRESHOLD = 0.5
REUSE_THRESHOLD = 0.7
SIGNATURE_FORMAT = f"w{SHINGLE_WORDS}p{NUM_PERM}s{SEED}"
"""Tag of an encoded signature; a signature made with other parameters is not compared."""

FLUSH_ENTRIES = 1 << 15
"""Band entries buffered in a dict before they are merged into the sorted arrays."""


class Signature:
    """The MinHash signature of one text: a datasketch LeanMinHash of NUM_PERM values."""

    __slots__ = ("minhash",)

    def __init__(self, minhash: LeanMinHash) -> None:
        self.minhash = minhash

    @property
    def values(self) -> npt.NDArray[np.uint32]:
        """The hash values, as 32-bit integers."""
        return np.asarray(self.minhash.hashvalues).astype(np.uint32)


def shingles(text: str) -> set[bytes]:
    """Word SHINGLE_WORDS-grams of the white-space-normalised, case-folded text."""
    words = text.casefold().split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")}
    last = len(words) - SHINGLE_WORDS + 1
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(last)}


@cache
def _permutations() -> object:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text: str) -> Signature:
    """The MinHash signature of a text's shingles."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    minhash.update_batch(sorted(shingles(text)))
    return Signature(LeanMinHash(minhash))


def similarity(one: Signature, other: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return round(float(one.minhash.jaccard(other.minhash)), 4)


def encode(sig: Signature) -> str:
    """The signature as a compact string for the output line."""
    values = sig.values.astype("<u4").tobytes()
    return f"{SIGNATURE_FORMAT}:{base64.b64encode(values).decode('ascii')}"


def decode(value: object) -> Signature | None:
    """A signature read back from an output line; None when absent, foreign or damaged."""
    if not isinstance(value, str):
        return None
    tag, _, data = value.partition(":")
    if tag != SIGNATURE_FORMAT:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != NUM_PERM * 4:
        return None
    values = np.frombuffer(raw, dtype="<u4")
    return Signature(LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME))


def band_keys(sig: Signature) -> list[int]:
    """The LSH band hashes of a signature, one 64-bit key per band."""
    raw = sig.values.astype("<u4").tobytes()
    size = ROWS * 4
    return [
        int.from_bytes(
            hashlib.blake2b(
                raw[b * size : (b + 1) * size], digest_size=8, person=_PERSONS[b]
            ).digest(),
            "little",
        )
        for b in range(BANDS)
    ]


_PERSONS = [b"band%d" % band for band in range(BANDS)]


class NearDupIndex:
    """LSH band hashes of summarised records -> the offsets of their output lines.

    Sorted numpy arrays hold most entries (looked up with searchsorted); the latest
    ones wait in a dict until FLUSH_ENTRIES of them are merged in one sort.
    """

    def __init__(self) -> None:
        self._keys: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._offsets: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}
        self._recent_entries = 0
        self.records = 0

    def add(self, sig: Signature, offset: int) -> None:
        """Index the record whose output line starts at `offset`."""
        for key in band_keys(sig):
            self._recent.setdefault(key, []).append(offset)
        self._recent_entries += BANDS
        self.records += 1
        if self._recent_entries >= FLUSH_ENTRIES:
            self._flush()

    def candidates(self, sig: Signature) -> list[int]:
        """Offsets of the records sharing at least one band with `sig`, earliest first."""
        keys = band_keys(sig)
        found: set[int] = set()
        wanted = np.array(keys, dtype=np.uint64)
        starts = np.searchsorted(self._keys, wanted, side="left")
        ends = np.searchsorted(self._keys, wanted, side="right")
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            found.update(self._offsets[start:end].tolist())
        for key in keys:
            found.update(self._recent.get(key, ()))
        return sorted(found)

    @property
    def nbytes(self) -> int:
        """Bytes held by the sorted arrays (the buffer of recent entries aside)."""
        return int(self._keys.nbytes + self._offsets.nbytes)

    def _flush(self) -> None:
        """Merge the recent entries into the sorted arrays (a linear merge, no full sort)."""
        key_list: list[int] = []
        offset_list: list[int] = []
        for key, found in self._recent.items():
            key_list.extend([key] * len(found))
            offset_list.extend(found)
        order = np.argsort(np.array(key_list, dtype=np.uint64), kind="stable")
        keys = np.array(key_list, dtype=np.uint64)[order]
        offsets = np.array(offset_list, dtype=np.int64)[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, at, keys)
        self._offsets = np.insert(self._offsets, at, offsets)
        self._recent = {}
        self._recent_entries = 0
