"""app/i18n/*.json: every message the code names exists, in Spanish, English and Portuguese, with the
same placeholders in each language (a missing one would be a KeyError in front of a user)."""

from __future__ import annotations

import json
import re
import string

from app.settings import REPO_ROOT

CATALOGUE = {key: value for path in sorted((REPO_ROOT / "app" / "i18n").glob("*.json"))
             for key, value in json.loads(path.read_text(encoding="utf-8")).items()}
NAMED = re.compile(r"""\b(?:text|compose)\(\s*["']([a-z_]+\.[a-z_.-]+)["']""")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_named_in_the_code_exists() -> None:
    named = {key for path in (REPO_ROOT / "app").rglob("*.py")
             for key in NAMED.findall(path.read_text(encoding="utf-8"))}
    assert named, "the pattern finds the code's messages"
    assert sorted(named - set(CATALOGUE)) == []


def test_every_message_in_three_languages_with_the_same_placeholders() -> None:
    for key, languages in CATALOGUE.items():
        assert set(languages) == {"es", "en", "pt"}, key
        assert placeholders(languages["es"]) == placeholders(languages["en"]) == placeholders(languages["pt"]), key
