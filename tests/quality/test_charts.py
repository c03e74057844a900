"""The SVG charts parse as SVG and say, as text and attributes, what they draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from app.quality.charts import Bar, Series, bar_chart, histogram, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bar_chart() -> None:
    root = parse(bar_chart("c1", [Bar("Colombia", 202.5, "202.5 / 405", 0), Bar("Chile", 405, "405 / 405", 1),
                                  Bar("<España & co>", 0, "0 / 405", 2)],
                           maximum=405, title="Puntuación", desc="Una barra por catálogo", width=640,
                           label_width=190))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Puntuación"  # type: ignore[union-attr]
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [
        ("Colombia", "202.5"), ("Chile", "405"), ("<España & co>", "0")]
    plot = 640 - 190 - 90
    assert [float(b.get("width") or 0) for b in bars] == [round(plot / 2, 1), plot, 0.0]
    assert {"Colombia", "202.5 / 405", "Chile", "405 / 405", "<España & co>"} <= set(texts(root))
    # series differ by pattern as well as colour: the second and third bars are hatched
    assert bars[0].get("fill", "").startswith("#")
    assert bars[1].get("fill") == "url(#c1-p1)" and bars[2].get("fill") == "url(#c1-p2)"
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert {"c1-p1", "c1-p2"} <= patterns
    assert "style" not in ET.tostring(root, encoding="unicode")  # the pages' CSP forbids inline styles


def test_values_beyond_the_maximum_are_clipped() -> None:
    root = parse(bar_chart("c2", [Bar("x", 500, "500", 0), Bar("y", -3, "-3", 0)], maximum=100, title="t", desc="d"))
    widths = [float(r.get("width") or 0) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert widths == [640 - 190 - 90, 0.0]


def test_histogram() -> None:
    bars = [Bar(f"{n * 45}–{n * 45 + 44}", count, str(count), 0) for n, count in enumerate([0, 2, 5, 1])]
    root = parse(histogram("h", bars, title="Distribución", desc="d", height=240))
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    heights = [float(r.get("height") or 0) for r in rects]
    plot = 240 - 40 - 24
    assert heights == [0.0, round(plot * 2 / 5, 1), plot, round(plot / 5, 1)]
    assert [r.get("data-value") for r in rects] == ["0", "2", "5", "1"]
    assert {"0–44", "45–89", "5"} <= set(texts(root))


def test_line_chart() -> None:
    series = [Series("CO", [(date(2026, 11, 28), 200.0), (date(2026, 11, 30), 220.0)]),
              Series("CL", [(date(2026, 11, 29), 100.0), (date(2026, 11, 30), 101.5)])]
    root = parse(line_chart("t", series, maximum=405, title="Evolución", desc="d"))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
    assert [g.get("data-label") for g in groups] == ["CO", "CL"]
    points = [(p.get("data-day"), p.get("data-value")) for p in root.iter(f"{SVG}g") if p.get("class") == "point"]
    assert points == [("2026-11-28", "200"), ("2026-11-30", "220"), ("2026-11-29", "100"), ("2026-11-30", "101.5")]
    lines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "line"]
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")  # dash differs
    assert "CO 220" in texts(root) and "CL 101.5" in texts(root)
    assert "2026-11-28" in texts(root) and "2026-11-30" in texts(root)
    # markers differ: a circle for the first series, a square for the second
    first, second = groups
    assert first.find(f".//{SVG}circle") is not None and second.find(f".//{SVG}rect") is not None


def test_end_labels_do_not_overlap() -> None:
    series = [Series(n, [(date(2026, 11, 30), 200.0)]) for n in ("A", "B", "C")]
    root = parse(line_chart("o", series, maximum=405, title="t", desc="d"))
    ys = sorted(float(t.get("y") or 0) for t in root.iter(f"{SVG}text") if t.get("class") == "label")
    assert len(ys) == 3 and all(b - a >= 14 for a, b in zip(ys, ys[1:], strict=False))


def test_an_empty_line_chart_is_still_svg() -> None:
    root = parse(line_chart("e", [], maximum=405, title="t", desc="d"))
    assert root.find(f"{SVG}title") is not None
