"""Messages to users in Spanish, English and Portuguese, and how the language is chosen."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

Lang = Literal["es", "en", "pt"]
LANGS: tuple[Lang, ...] = ("es", "en", "pt")

# A text in every language Puente speaks; rendered late, once the client's language is known.
LocalText = dict[str, str]


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, str]]:
    """Every message file of this folder (messages.json, and one per concern), merged; a key given twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(Path(__file__).parent.glob("*.json")):
        data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        twice = merged.keys() & data.keys()
        if twice:
            raise ValueError(f"{path.name} repeats message keys: {', '.join(sorted(twice))}")
        merged.update(data)
    return merged


def has_message(message_key: str) -> bool:
    """True when the catalogue has `message_key`."""
    return message_key in _catalog()


def catalog_keys() -> list[str]:
    """Every message key of the catalogue."""
    return sorted(_catalog())


def text(message_key: str, /, **params: object) -> LocalText:
    """The message `message_key` in every language, with `params` filled in."""
    entry = _catalog()[message_key]
    return {lang: template.format(**params) for lang, template in entry.items()}


def compose(message_key: str, /, *, localized: dict[str, LocalText], **params: object) -> LocalText:
    """Like text(), with some parameters that are themselves texts in every language."""
    entry = _catalog()[message_key]
    return {lang: template.format(**params, **{k: v.get(lang, "") for k, v in localized.items()})
            for lang, template in entry.items()}


def render(local: LocalText, lang: str) -> str:
    """Pick one language from a LocalText, falling back to Spanish, then English."""
    for candidate in (lang, "es", "en"):
        if candidate in local:
            return local[candidate]
    return next(iter(local.values()), "")


def negotiate(*, query_lang: str | None, accept_language: str | None, default: str) -> Lang:
    """Choose the answer language: `lang=` first, then Accept-Language, then the default."""
    if query_lang:
        code = query_lang.strip().lower()[:2]
        if code in LANGS:
            return _as_lang(code)
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            pieces = part.strip().split(";")
            code = pieces[0].strip().lower()[:2]
            weight = 1.0
            for param in pieces[1:]:
                name, _, value = param.strip().partition("=")
                if name == "q":
                    try:
                        weight = float(value)
                    except ValueError:
                        weight = 0.0
            if code in LANGS and weight > 0:
                weighted.append((-weight, index, code))
        if weighted:
            return _as_lang(sorted(weighted)[0][2])
    return _as_lang(default) if default in LANGS else "es"


def _as_lang(code: str) -> Lang:
    for lang in LANGS:
        if lang == code:
            return lang
    return "es"
