"""The one path grammar of the crosswalk files, checked when a file loads.

    path      := "$" | ["$." | "$"] [selector*] segment ("." segment)*   (a list document: "$[*]")
    segment   := name selector*
    name      := identifier | '"' any text but '"' '"'
    selector  := "[*]" | "[" digits "]" | "[" identifier "=" value "]"

`a.b`, `metadata.custom_fields."Información de Datos".Idioma`, `resources[*].url`,
`extras[key=frequency].value`. A leading `$.` starts from the record instead of the current item.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_IDENT = r"[A-Za-z_@][A-Za-z0-9_@:\-]*"
_TOKEN = re.compile(rf'(?P<ident>{_IDENT})|"(?P<quoted>[^"]+)"|\[(?P<sel>[^\]]*)\]|(?P<dot>\.)')


class PathSyntaxError(ValueError):
    """A crosswalk path that does not follow the grammar."""


@dataclass(frozen=True)
class Step:
    key: str | None = None          # a member name
    every: bool = False             # [*]
    index: int | None = None        # [n]
    match: tuple[str, str] | None = None  # [key=value]
    shown: str = ""  # the member name as written in a path (quoted when it is not an identifier)


_IDENT_ONLY = re.compile(_IDENT)


def _member(key: str) -> Step:
    """A member step, its written form computed once (paths are parsed once, walked for every record)."""
    return Step(key=key, shown=key if _IDENT_ONLY.fullmatch(key) else f'"{key}"')


@dataclass(frozen=True)
class FieldPath:
    text: str
    from_record: bool
    steps: tuple[Step, ...]
    # a path of member names only (most are): its keys and the concrete path, for a loop without recursion
    keys: tuple[str, ...] | None = field(default=None, compare=False)
    shown: str = field(default="", compare=False)

    def evaluate(self, current: Any, record: Any) -> list[tuple[Any, str]]:
        """Every value the path reaches, each with the concrete path that reached it."""
        start = record if self.from_record else current
        if not self.steps:
            return [] if start is None else [(start, "$")]
        if self.keys is not None:
            node = start
            for key in self.keys:
                if not isinstance(node, dict):
                    return []
                node = node.get(key)
                if node is None:
                    return []
            return [(node, self.shown)]
        return [(value, where) for value, where in _walk(start, self.steps, "") if value is not None]


def _join(prefix: str, step: Step) -> str:
    return f"{prefix}.{step.shown}" if prefix else step.shown


def _walk(node: Any, steps: tuple[Step, ...], where: str) -> Iterator[tuple[Any, str]]:
    if not steps:
        yield node, where
        return
    step, rest = steps[0], steps[1:]
    if step.key is not None:
        if isinstance(node, dict) and step.key in node:
            yield from _walk(node[step.key], rest, _join(where, step))
        return
    if not isinstance(node, list):
        if step.every and node is not None:
            yield from _walk(node, rest, where)  # a lone value where a list was expected
        return
    if step.every:
        for position, item in enumerate(node):
            yield from _walk(item, rest, f"{where}[{position}]")
    elif step.index is not None:
        if -len(node) <= step.index < len(node):
            yield from _walk(node[step.index], rest, f"{where}[{step.index}]")
    elif step.match is not None:
        key, wanted = step.match
        for item in node:
            if isinstance(item, dict) and str(item.get(key)) == wanted:
                yield from _walk(item, rest, f"{where}[{key}={wanted}]")


@functools.lru_cache(maxsize=4096)
def parse_path(text: str) -> FieldPath:
    """Parse a path; raise PathSyntaxError naming the position of the first mistake."""
    source = text.strip()
    if not source:
        raise PathSyntaxError("empty path")
    from_record = False
    if source == "$":
        return FieldPath(text=text, from_record=True, steps=())
    if source.startswith("$."):
        from_record, source = True, source[2:]
    elif source.startswith("$["):
        from_record, source = True, source[1:]
    steps: list[Step] = []
    position = 0
    expect_name = True
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise PathSyntaxError(f"unexpected {source[position]!r} at column {position + 1} of {text!r}")
        if match.group("dot") is not None:
            if expect_name:
                raise PathSyntaxError(f"empty segment at column {position + 1} of {text!r}")
            expect_name = True
        elif match.group("sel") is not None:
            if expect_name and (steps or position):
                raise PathSyntaxError(f"a selector needs a name before it, column {position + 1} of {text!r}")
            steps.append(_selector(match.group("sel"), text))
            expect_name = False
        else:
            if not expect_name:
                raise PathSyntaxError(f"missing '.' before column {position + 1} of {text!r}")
            steps.append(_member(match.group("ident") or match.group("quoted")))
            expect_name = False
        position = match.end()
    if expect_name:
        raise PathSyntaxError(f"path {text!r} ends with '.'")
    if all(step.key is not None for step in steps):
        keys = tuple(step.key for step in steps if step.key is not None)
        return FieldPath(text=text, from_record=from_record, steps=tuple(steps), keys=keys,
                    shown=".".join(step.shown for step in steps))
    return FieldPath(text=text, from_record=from_record, steps=tuple(steps))


def _selector(body: str, text: str) -> Step:
    if body == "*":
        return Step(every=True)
    if re.fullmatch(r"-?\d+", body):
        return Step(index=int(body))
    match = re.fullmatch(rf"({_IDENT})=([^\]]+)", body)
    if match:
        return Step(match=(match.group(1), match.group(2)))
    raise PathSyntaxError(f"unknown selector [{body}] in {text!r}")
