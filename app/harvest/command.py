"""`puente harvest`: one harvest in the foreground, into a harmonised catalogue or a JSON-Lines change log.

    puente harvest --catalogue cl --type ckan https://datos.gob.cl [--format json] [--full]
    puente harvest --type ckan https://datos.gob.cl --out cl.jsonl [--catalogue cl]

Into the catalogue (no --out): records are read with the source's crosswalk (--source-format, else the type's),
validated and published into PUENTE_DATA_DIR's catalogue like a PUT, with a progress bar on a terminal; the source is
registered there (the one an admin registered with the same catalogue, type and URL is reused), so the next run is
incremental and `GET /catalogues/{cc}/harvests` lists this run too. A server holding the data folder: refused,
naming it. Into a file (--out): the state sits beside the output (`<out>.state.json`, or --state).
Either way a run that was killed resumes. Exit status: 0 done, 1 done with errors, 2 failed (or bad usage).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from app.errors import InputError
from app.harvest.cli_catalogue import into_catalogue
from app.harvest.harvester import harvest
from app.harvest.model import HarvestRun, RunStatus
from app.harvest.sink import JsonlSink
from app.harvest.source import SOURCE_TYPES, HarvestSource
from app.harvest.state import FileStateStore
from app.i18n import render, text
from app.net.client import HttpPolicy, SafeClient
from app.pipeline.run import Pipeline
from app.settings import get_settings

# A national catalogue reads its portal's records with its country's conventions (mappings/<cc>).
CATALOGUE_FORMATS = {"co": "co", "cl": "cl", "mx": "mx", "es": "es"}
EXIT_DONE, EXIT_ERRORS, EXIT_FAILED = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("harvest", help="harvest a portal (CKAN, Socrata, data.json, DCAT) into a "
                                                 "harmonised catalogue (or a JSON-Lines file), incrementally")
    parser.add_argument("url", help="the portal (CKAN, Socrata), the data.json file or the DCAT endpoint's first page")
    parser.add_argument("--type", required=True, choices=SOURCE_TYPES, help="the source's API")
    parser.add_argument("--out", type=Path, help="write a JSON-Lines file of the changes (created, updated, deleted), "
                                                 "appended run after run, instead of the catalogue")
    parser.add_argument("--state", type=Path, help="the harvest's state (default: <out>.state.json)")
    parser.add_argument("--catalogue", help="the catalogue the records go into (co, cl, mx, es or one from settings); "
                                            "with --out: read records with this country's conventions")
    parser.add_argument("--domain", help="Socrata: the portal's domain in the Discovery API (default: the URL's host)")
    parser.add_argument("--source-format", help="the Puente source records are read with (overrides --catalogue)")
    parser.add_argument("--full", action="store_true", help="list the whole source (and so catch every deletion)")
    parser.add_argument("--rows", type=int, default=1000, help="page size (CKAN at most 1000)")
    parser.add_argument("--modified-since", action="store_true", help="DCAT: the endpoint filters by modified_since")
    parser.add_argument("--no-validate", action="store_true", help="store records without validating them")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="the run's summary")
    parser.add_argument("--lang", choices=("es", "en", "pt"), help="language of the messages (default: es)")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    lang = args.lang or "es"
    if args.out is None:
        if not args.catalogue:
            raise InputError(text("detail.harvest_cli_where"), field="catalogue")
        return into_catalogue(args, lang=lang, out=out, err=err)
    if args.catalogue and args.catalogue not in CATALOGUE_FORMATS:
        raise InputError(text("detail.harvest_cli_format", catalogue=args.catalogue[:40],
                              known=", ".join(sorted(CATALOGUE_FORMATS))), field="catalogue")
    record_format = args.source_format or (CATALOGUE_FORMATS[args.catalogue] if args.catalogue else None)
    source = HarvestSource(type=args.type, url=args.url, record_format=record_format, rows=args.rows,
                           modified_since=args.modified_since, domain=args.domain)
    state = args.state or args.out.with_name(args.out.name + ".state.json")
    pipeline = None if args.no_validate else Pipeline.load(get_settings())
    sink = JsonlSink(args.out, pipeline)
    progress = _Progress(err)
    try:
        with SafeClient(HttpPolicy.from_settings(get_settings())) as client:
            run = harvest(source, sink=sink, client=client, store=FileStateStore(state), full=args.full,
                          on_progress=progress)
    finally:
        sink.close()
        progress.close()
    if args.format == "json":
        out.write(json.dumps(run.to_json(lang=lang), ensure_ascii=False) + "\n")
    else:
        _print(run, lang=lang, out=out)
    if run.status is RunStatus.FAILED:
        return EXIT_FAILED
    return EXIT_ERRORS if run.counts.errors else EXIT_DONE


class _Progress:
    """One status line on stderr while the run goes (only on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, run: HarvestRun) -> None:
        if self.active:
            c = run.counts
            self.stream.write(f"\rpuente harvest: {run.progress.pages} pages, {run.progress.records} records "
                              f"(+{c.created} ~{c.updated} ={c.unchanged} -{c.deleted} ✖{c.refused} !{c.errors}), "
                              f"{run.requests} requests ")
            self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")


def _print(run: HarvestRun, *, lang: str, out: TextIO) -> None:
    c = run.counts
    out.write(f"{run.status.value}: {run.source_type} {run.url}{' (resumed)' if run.resumed else ''}\n"
              f"  pages {run.progress.pages}, records {run.progress.records}, requests {run.requests}\n"
              f"  created {c.created}, updated {c.updated}, unchanged {c.unchanged}, deleted {c.deleted}, "
              f"refused {c.refused}, errors {c.errors}\n")
    for note in run.notes:
        out.write(f"  · {render(note, lang)}\n")
    for error in run.errors:
        out.write(f"  ! {render(error.message, lang)}\n")
    for refusal in run.refusals[:20]:
        message = render(refusal.message, lang) if refusal.message else ""
        out.write(f"  ✖ {refusal.source_id}: {refusal.violations} × {message}\n")

