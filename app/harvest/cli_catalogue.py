"""`puente harvest --catalogue cc --type T URL`: one run into the harmonised catalogue, in the foreground, with a
progress bar (tqdm, on a terminal) and the summary (text, or `--format json`: the run's report as the API gives it).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from tqdm import tqdm

from app.catalogue.service import CatalogueService
from app.harvest.catalogue_sink import prepare_here
from app.harvest.model import HarvestRun
from app.harvest.registry import SourceEntry, source_id
from app.harvest.runs import HarvestManager, open_manager
from app.i18n import LocalText, render
from app.pipeline.run import Pipeline
from app.settings import get_settings

EXIT_DONE, EXIT_ERRORS, EXIT_FAILED = 0, 1, 2


def into_catalogue(args: argparse.Namespace, *, lang: str, out: TextIO, err: TextIO) -> int:
    settings = get_settings()
    pipeline = Pipeline.load(settings)
    # fails (exit 2, naming the holder) when a server or another command holds the data folder
    service = CatalogueService.open(settings, pipeline.profile, sources=set(pipeline.registry.sources),
                                    holder="puente harvest")
    try:
        manager = open_manager(settings, service, prepare=prepare_here(pipeline),
                               formats=set(pipeline.registry.sources))
        try:
            entry = _source(manager, args)
            bar = _Bar(err)
            try:
                report = manager.run_now(entry, full=args.full, who="cli:" + (os.environ.get("USER") or "?"),
                                         on_progress=bar)
            finally:
                bar.close()
        finally:
            manager.db.close()
    finally:
        service.close()
    shown = localised(report, lang)
    if args.format == "json":
        out.write(json.dumps(shown, ensure_ascii=False) + "\n")
    else:
        _print(shown, out=out)
    if report["status"] == "failed":
        return EXIT_FAILED
    return EXIT_ERRORS if report["counts"]["errors"] else EXIT_DONE


def _source(manager: HarvestManager, args: argparse.Namespace) -> SourceEntry:
    """The registered source with this catalogue, type and URL, else a new one from the command's options."""
    for entry in manager.db.sources():
        if (entry.catalogue, entry.type, entry.url) == (args.catalogue, args.type, args.url):
            return entry
    options: dict[str, Any] = {"rows": args.rows}
    if args.source_format:
        options["format"] = args.source_format
    if args.modified_since:
        options["modified_since"] = True
    if args.domain:
        options["domain"] = args.domain
    return manager.register(SourceEntry(id=source_id(args.catalogue, args.type, args.url), catalogue=args.catalogue,
                                        type=args.type, url=args.url, options=options, origin="cli"))


def localised(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """A run's report with its messages in one language."""

    def one(message: LocalText | str | None) -> str | None:
        return render(message, lang) if isinstance(message, dict) else message

    shown = dict(report)
    shown["errors"] = [{**e, "message": one(e.get("message"))} for e in report.get("errors", [])]
    shown["refusals"] = [{**r, "message": one(r.get("message"))} for r in report.get("refusals", [])]
    shown["notes"] = [one(n) for n in report.get("notes", [])]
    return shown


class _Bar:
    """Records read so far, with the counts, on stderr (only on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.bar = tqdm(total=None, unit=" records", file=stream, disable=not stream.isatty(), dynamic_ncols=True,
                        desc="puente harvest")
        self.done = 0

    def __call__(self, run: HarvestRun) -> None:
        c = run.counts
        self.bar.update(run.progress.records - self.done)
        self.done = run.progress.records
        self.bar.set_postfix_str(f"pages {run.progress.pages} +{c.created} ~{c.updated} ={c.unchanged} "
                                 f"-{c.deleted} ✖{c.refused} !{c.errors} · {run.requests} requests", refresh=False)

    def close(self) -> None:
        self.bar.close()


def _print(report: dict[str, Any], *, out: TextIO) -> None:
    c, p = report["counts"], report["progress"]
    source = report["source"]
    out.write(f"{report['status']}: {source['type']} {source['url']} → {report['catalogue']} (run {report['id']}"
              f"{', resumed' if report.get('resumed') else ''})\n"
              f"  pages {p['pages']}, records {p['records']}, requests {report['requests']}\n"
              f"  created {c['created']}, updated {c['updated']}, unchanged {c['unchanged']}, deleted {c['deleted']}, "
              f"refused {c['refused']}, errors {c['errors']}\n")
    for note in report["notes"]:
        out.write(f"  · {note}\n")
    for error in report["errors"]:
        out.write(f"  ! {error['url'] or ''} {error['message']}\n")
    for refusal in report["refusals"][:20]:
        out.write(f"  ✖ {refusal['id']}: {refusal['violations']} × {refusal['message'] or ''}\n")
