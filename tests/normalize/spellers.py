"""Small number spellers for property tests: English and French words for 0..999,999."""

from __future__ import annotations

_EN_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_FR_SMALL = (
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize"
).split()
_FR_TENS = "_ dix vingt trente quarante cinquante soixante".split()


def english(n: int) -> str:
    """'twenty-one', 'one hundred and five', 'three thousand four hundred'."""
    if n < 20:
        return _EN_SMALL[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_SMALL[unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_EN_SMALL[hundreds]} hundred" + (f" and {english(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{english(thousands)} thousand" + (f" {english(rest)}" if rest else "")


def _fr_below_100(n: int, joiner: str) -> str:
    if n <= 16:
        return _FR_SMALL[n]
    if n < 20:
        return f"dix{joiner}{_FR_SMALL[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _FR_TENS[tens]
        if unit == 1:
            return f"{_FR_TENS[tens]}{joiner}et{joiner}un"
        return f"{_FR_TENS[tens]}{joiner}{_FR_SMALL[unit]}"
    if n < 80:
        rest = n - 60
        if rest == 11:
            return f"soixante{joiner}et{joiner}onze"
        return f"soixante{joiner}{_fr_below_100(rest, joiner)}"
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_fr_below_100(n - 80, '-')}"


def _fr_below_1000(n: int, joiner: str, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _fr_below_100(rest, joiner)
    head = "cent" if hundreds == 1 else f"{_FR_SMALL[hundreds]} cent"
    if rest == 0:
        return head + ("s" if hundreds > 1 and final else "")
    return f"{head} {_fr_below_100(rest, joiner)}"


def french(n: int, joiner: str = "-") -> str:
    """'vingt et un' (joiner ' ') or 'vingt-et-un' (joiner '-'), 'deux cents', 'mille'."""
    if n < 1000:
        return _fr_below_1000(n, joiner, final=True)
    thousands, rest = divmod(n, 1000)
    head = "mille" if thousands == 1 else f"{_fr_below_1000(thousands, joiner, False)} mille"
    if thousands > 1 and thousands % 100 == 80:
        head = head.replace("quatre-vingts mille", "quatre-vingt mille")
    return head + (f" {_fr_below_1000(rest, joiner, final=True)}" if rest else "")
