"""The GS1 Application Identifier dictionary: lengths, character sets and pairing rules.

A compact transcription of gs1-syntax-dictionary.txt (gs1/gs1-syntax-engine, GS1 AISBL,
Apache-2.0): for each AI its components (N digits, X = CSET 82, Y = CSET 39, Z = CSET 64; fixed
length or ``..max``; ``[…]`` optional) with the linters we apply (csum, yymmd0, yymmdd), and
whether its length is predefined (``*``: no FNC1 separator after it). AIs are prefix-free:
the first digits decide whether an AI has 2, 3 or 4 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
_CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CSET64 = frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz=")
CHARSETS = {"X": CSET82, "Y": _CSET39, "Z": _CSET64}

# AI [*] spec; "*" = predefined length (no FNC1 after it); components joined by "+", "[..]" =
# optional; linters: csum (mod-10), yymmd0 (DD 00 allowed), yymmdd. From gs1-syntax-dictionary.txt.
_DICTIONARY = """
00 * N18,csum  01 * N14,csum  02 * N14,csum  10 X..20  11-13 * N6,yymmd0  15-17 * N6,yymmd0
20 * N2  21-22 X..20  235 X..28  240-241 X..30  242 N..6  243 X..20  250-251 X..30
253 N13,csum+[X..17]  254 X..20  255 N13,csum+[N..12]  30 N..8  37 N..8  3900-3909 N..15
3910-3919 N3+N..15  3920-3929 N..15  3930-3939 N3+N..15  3940-3943 N4  3950-3955 N6
400-401 X..30  402 N17,csum  403 X..30  410-417 * N13,csum  420 X..20  421 N3+X..9  422 N3
423 N..15  424 N3  425 N..15  426 N3  427 X..3  4300-4301 X..35  4302-4306 X..70  4307 X2
4308 X..30  4309 N20  4310-4311 X..35  4312-4316 X..70  4317 X2  4318 X..20  4319 X..30
4320 X..35  4321-4323 N1  4324-4325 N6,yymmd0+N4  4326 N6,yymmdd  4330-4333 N6+[X1]  7001 N13
7002 X..30  7003 N6,yymmdd+N4  7004 N..4  7005 X..12  7006 N6,yymmdd  7007 N6,yymmdd+[N6]
7008 X..3  7009 X..10  7010 X..2  7011 N6,yymmdd+[N4]  7020-7022 X..20  7023 X..30
7030-7039 N3+X..27  7040 N1+X3  710-715 X..20  7230-7239 X2+X..28  7240 X..20  7241 N2
7242 X..25  8001 N14  8002 X..20  8003 N14+[X..16]  8004 X..30  8005 N6  8006 N14,csum+N4
8007 X..34  8008 N8+[N..4]  8009 X..50  8010 Y..30  8011 N..12  8012 X..20  8013 X..25
8017-8018 N18,csum  8019 N..10  8020 X..25  8026 N14,csum+N4  8030 Z..90  8110 X..70  8111 N4
8112 X..70  8200 X..70  90 X..30  91-99 X..90
"""
_MEASURE_FAMILIES = (*range(310, 317), *range(320, 338), *range(340, 358), *range(360, 370))
_MEASURES = ("30", "31", "32", "35", "36")
# Pairing rules for the AIs a till reads (AI prefix -> groups, each needing one of its prefixes).
_REQUIRES: dict[str, tuple[tuple[str, ...], ...]] = {
    **dict.fromkeys(("10", "11", "13", "15", "16"), (("01", "02", "8006", "8026"),)),
    "17": (("01", "02", "255", "8006", "8026"),),
    "21": (("01", "8006"),),
    "30": (("01", "02"),),
    "37": (("02", "8026"),),
    "310": (("01", "02"),),
    "392": (("01",), _MEASURES),
    "393": (_MEASURES,),
    "395": (_MEASURES,),
}
_EXCLUDES: dict[str, tuple[str, ...]] = {
    "01": ("02", "255", "37"),
    "21": ("235",),
    "392": ("393", "395"),
    "393": ("392", "395"),
    "395": ("392", "393", "8005"),
}
_MULTI_VARIANT = ("31", "32", "33", "34", "35", "36", "390", "391", "392", "393", "394", "395")


@dataclass(frozen=True, slots=True)
class AiPart:
    kind: str  # N, X, Y or Z
    low: int
    high: int
    optional: bool
    linter: str


@dataclass(frozen=True, slots=True)
class AiSpec:
    predefined: bool
    parts: tuple[AiPart, ...]

    @property
    def max_length(self) -> int:
        return sum(part.high for part in self.parts)


_PART = re.compile(r"(\[)?([NXYZ])(\.\.)?(\d+)(?:,(\w+))?\]?")
_ENTRY = re.compile(r"(\d{2,4})(?:-(\d{2,4}))?\s+(\*\s+)?(\S+)")


@cache
def dictionary() -> dict[str, AiSpec]:
    table: dict[str, AiSpec] = {}
    for first, last, star, spec_text in _ENTRY.findall(_DICTIONARY):
        parts = []
        for item in spec_text.split("+"):
            match = _PART.fullmatch(item)
            assert match is not None, item
            opt, kind, ranged, size, linter = match.groups()
            parts.append(AiPart(kind, 1 if ranged else int(size), int(size), bool(opt), linter))
        for number in range(int(first), int(last or first) + 1):
            table[str(number).zfill(len(first))] = AiSpec(bool(star), tuple(parts))
    for family in _MEASURE_FAMILIES:
        for decimals in range(6):
            table[f"{family}{decimals}"] = AiSpec(True, (AiPart("N", 6, 6, False, ""),))
    return table


def is_known_ai(ai: str) -> bool:
    """True when ``ai`` is an Application Identifier of the GS1 Syntax Dictionary."""
    return ai in dictionary()


def family(ai: str) -> str:
    """310n, 392n …: the AI without its decimal-point digit; other AIs stand for themselves."""
    return ai[:3] if len(ai) == 4 and ai.startswith(_MULTI_VARIANT) else ai


def requirements(ai_family: str) -> tuple[tuple[str, ...], ...]:
    """Groups of AI patterns of which the family needs one each (``req=`` in the dictionary)."""
    return _REQUIRES.get(ai_family, ())


def exclusions(ai_family: str) -> tuple[str, ...]:
    """AI patterns that must not appear with the family (``ex=``)."""
    return _EXCLUDES.get(ai_family, ())


def matches(ai: str, pattern: str) -> bool:
    """A rule names an AI ("30", "01") or a family by its prefix ("31" for 31nn, "392")."""
    return ai == pattern if pattern in dictionary() else ai.startswith(pattern)
