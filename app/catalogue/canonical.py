"""A record's canonical N-Triples and its checksum: equal content, equal checksum; different content, different.

Triples arrive as N-Triples terms (strings written by `ntriples`). Blank nodes get labels from their content by
colour refinement (each blank node's colour is a digest of its edges, the neighbouring blank nodes' colours
included, refined until the partition stops splitting), salted with the record's graph name so that two records
never share a stored blank node. Records are trees of blank nodes (agents, contact points, periods), where
refinement is exact. Blank nodes refinement cannot tell apart get an order-of-appearance suffix: still a faithful
relabelling, so different content never shares a checksum (at worst an identical record with such twins, listed in
another order, counts as `updated`). Linear in the triples and never exponential, unlike general canonicalisation
(pyoxigraph's `canonicalize` warns of exponential worst cases, and records come from clients).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

MAX_ROUNDS = 12
StrTriple = tuple[str, str, str]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_lines(triples: Iterable[StrTriple], *, salt: str) -> list[str]:
    """The triples as sorted, distinct N-Triples lines (without newlines), blank nodes labelled."""
    rows = list(dict.fromkeys(triples))
    blanks: dict[str, int] = {}  # blank node → order of first appearance
    for subject, _, obj in rows:
        if subject[0] == "_":
            blanks.setdefault(subject, len(blanks))
        if obj[0] == "_":
            blanks.setdefault(obj, len(blanks))
    if not blanks:
        return sorted(f"{s} {p} {o} ." for s, p, o in rows)
    labels = _labels(rows, blanks, salt=salt)
    return sorted({f"{labels.get(s, s)} {p} {labels.get(o, o)} ." for s, p, o in rows})


def checksum(lines: list[str]) -> str:
    """SHA-256 of canonical lines, as hexadecimal."""
    return _digest("\n".join(lines))


def _labels(rows: list[StrTriple], blanks: dict[str, int], *, salt: str) -> dict[str, str]:
    edges: dict[str, list[tuple[str, str, str]]] = {b: [] for b in blanks}
    for subject, predicate, obj in rows:
        if subject in edges:
            edges[subject].append((">", predicate, obj))
        if obj in edges:
            edges[obj].append(("<", predicate, subject))
    colour = dict.fromkeys(blanks, "")
    classes = 0
    for _ in range(MAX_ROUNDS):
        colour = {b: _digest(colour[b] + "|" + "|".join(sorted(
            f"{d} {p} {colour.get(n, n)}" for d, p, n in edges[b]))) for b in blanks}
        count = len(set(colour.values()))
        if count == classes or count == len(blanks):
            break
        classes = count
    seen: dict[str, int] = {}
    labels: dict[str, str] = {}
    for blank in sorted(blanks, key=blanks.__getitem__):
        twin = seen.get(colour[blank], 0)
        seen[colour[blank]] = twin + 1
        labels[blank] = "_:b" + _digest(f"{salt}|{colour[blank]}|{twin}")[:32]
    return labels
