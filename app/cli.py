"""The `puente` command: validate and convert records from a terminal or a script.

Exit status of `puente validate`: 0 the input conforms, 1 it has violations, 2 unreadable input or bad usage.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.catalogue import tokens
from app.catalogue.prepare import RECORD_CLASSES, Job, prepare_task
from app.catalogue.service import LANGS, SHARE_RECORDS, CatalogueService
from app.errors import PuenteError
from app.i18n import negotiate, render, text
from app.pipeline.enrichment import publication_triples
from app.pipeline.exports import dcat_ap_es_triples, to_ckan
from app.pipeline.report import report_csv, report_triples, shown_id, shown_value
from app.pipeline.report_models import ReportResult, ValidationReport
from app.pipeline.run import Pipeline
from app.pipeline.sniff import guess_media_type
from app.rdf.serialisation import BY_KEY, write_triples
from app.runtime.batch import Input, map_shares, share_out, validate_catalogue, validate_catalogues
from app.settings import get_settings

EXIT_CONFORMS, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
_ORIGIN_HELP = ("address of the portal the records come from (https://data.example.org), for the links to its "
                "downloads a record does not give (Socrata views); without it they are left out and a finding says so")
_COLOURS = {"violation": "31", "warning": "33", "info": "36", "ok": "32", "bold": "1", "dim": "2"}
_SYMBOLS = {"violation": "✖", "warning": "▲", "info": "i"}


class Style:
    """ANSI colours when writing to a terminal (and NO_COLOR is not set)."""

    def __init__(self, stream: TextIO, *, enabled: bool | None = None) -> None:
        wanted = stream.isatty() and "NO_COLOR" not in os.environ if enabled is None else enabled
        self.enabled = wanted

    def __call__(self, kind: str, value: str) -> str:
        return f"\033[{_COLOURS[kind]}m{value}\033[0m" if self.enabled else value


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, *, total: int, label: str, stream: TextIO = sys.stderr) -> None:
        self.total, self.label, self.stream = max(total, 1), label, stream
        self.active = stream.isatty()
        self.started = time.monotonic()

    def update(self, done: int, step: str) -> None:
        if not self.active:
            return
        width = 28
        filled = int(width * min(done, self.total) / self.total)
        bar = "█" * filled + "░" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{self.total} {step:<28}")
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write(f"\r{' ' * 90}\r")
            self.stream.flush()


def _read_input(path: str) -> tuple[bytes, str | None]:
    if path == "-":
        return sys.stdin.buffer.read(), None
    return Path(path).read_bytes(), Path(path).name


def _pipeline() -> Pipeline:
    settings = get_settings()
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    return Pipeline.load(settings)


def _print_text(report: ValidationReport, *, lang: str, style: Style, out: TextIO) -> None:
    def t(key: str, **params: object) -> str:
        return render(text(key, **params), lang)

    entries: list[tuple[str, list[ReportResult]]] = []
    for record in report["records"]:
        if not record["results"]:
            continue
        badge = style("ok", t("ui.page.ok")) if record["conforms"] else style("violation", t("ui.page.fix"))
        shown = shown_id(record)  # a blank-node label names nothing for people
        heading = style("bold", record["title"] or shown or t("ui.type." + record["type"]))
        entries.append((f"{heading}  ({t('ui.type.' + record['type'])}{' ' + shown if shown else ''}) — {badge}",
                        record["results"]))
    for group in report["shared"]:  # results on nodes several records share: once, naming the records
        named = [i for i in group["records"] if not i.startswith("_:")]
        names = ", ".join(named[:10]) + (", …" if len(named) > 10 else "")
        entries.append((f"{style('bold', t('ui.page.shared', count=len(group['records'])))}  ({names})",
                        group["results"]))
    for heading, results in entries:
        out.write(f"\n{heading}\n")
        for result in results:
            symbol = style(result["severity"], _SYMBOLS[result["severity"]])
            out.write(f"  {symbol} {result['message']}\n")
            if result["element"]:
                out.write(f"      {style('dim', t('ui.page.element') + ':')} {result['element']}\n")
            if result["source_field"]:
                out.write(f"      {style('dim', t('ui.page.field') + ':')} {style('bold', result['source_field'])}\n")
            if shown_value(result):
                out.write(f"      {style('dim', t('ui.page.value') + ':')} {shown_value(result)}\n")
    summary = report["summary"]
    verdict = style("ok", "✔ " + t("ui.page.conforms")) if report["conforms"] else style(
        "violation", "✖ " + t("ui.page.not_conforms"))
    out.write(f"\n{verdict}\n")
    out.write(f"{style('violation', str(summary['violations']))} {t('ui.sev.violation')} · "
              f"{style('warning', str(summary['warnings']))} {t('ui.sev.warning')} · "
              f"{style('info', str(summary['infos']))} {t('ui.sev.info')} · "
              f"{t('ui.page.records', count=summary['records'], conforming=summary['conforming'])} · "
              f"{t('ui.page.source_used')} {report['source']}"
              f"{' (' + t('ui.page.detected') + ')' if report['source_detected'] else ''}\n")


def cmd_validate(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    lang = negotiate(query_lang=args.lang, accept_language=os.environ.get("LANG", "").replace("_", "-"),
                     default="es")
    if len(args.paths) > 1:
        return _validate_many(args, lang=lang, out=out, err=err)
    body, filename = _read_input(args.paths[0])
    media_type = guess_media_type(body[:500].decode("utf-8", errors="replace"), filename)
    progress = Progress(total=4, label="puente", stream=err)
    progress.update(0, render(text("ui.cli.loading"), lang))
    pipeline = _pipeline()
    progress.update(1, render(text("ui.cli.reading"), lang))

    def opened(records: int) -> None:
        progress.update(2, render(text("ui.cli.validating", count=records), lang))

    # Catalogues are shared out over every core (--processes); the report is the one a single process makes.
    result = validate_catalogue(pipeline, body, media_type=media_type, source=args.source, lang=lang,
                                processes=args.processes or os.cpu_count() or 1,
                                keep_findings=args.format == "ttl", on_open=opened, origin=args.origin)
    report, findings = result.report, result.findings
    progress.update(4, "")
    progress.close()
    if args.format == "json":
        out.write(result.report_json.decode("utf-8") + "\n")
    elif args.format == "csv":
        out.write(report_csv(report))
    elif args.format == "ttl":
        written = io.BytesIO()
        write_triples(report_triples(findings, profile=pipeline.profile), BY_KEY["ttl"], written, grouped=True)
        out.write(written.getvalue().decode("utf-8"))
    else:
        _print_text(report, lang=lang, style=Style(out, enabled=False if args.no_color else None), out=out)
    return EXIT_CONFORMS if report["conforms"] else EXIT_VIOLATIONS


def _validate_many(args: argparse.Namespace, *, lang: str, out: TextIO, err: TextIO) -> int:
    """Several files: each validated as alone, overlapped (one is read while the workers validate the previous)."""
    if args.format == "ttl":
        err.write(f"puente: {render(text('ui.cli.ttl_one_file'), lang)}\n")
        return EXIT_BAD_INPUT
    files = [(path, *_read_input(path)) for path in args.paths]
    inputs = [Input(body, guess_media_type(body[:500].decode("utf-8", errors="replace"), name), args.source,
                    args.origin) for _, body, name in files]
    pipeline = _pipeline()
    style = Style(out, enabled=False if args.no_color else None)
    worst = EXIT_CONFORMS
    header = True  # the CSV header, once
    results = validate_catalogues(pipeline, inputs, lang=lang, processes=args.processes or os.cpu_count() or 1)
    for (path, _, _), result in zip(files, results, strict=True):
        if isinstance(result, PuenteError):
            where = f" ({result.line}:{result.column})" if result.line is not None else ""
            err.write(f"puente: {path}: {render(result.detail, lang)}{where}\n")
            worst = EXIT_BAD_INPUT
            continue
        if args.format == "json":  # JSON Lines: one document per line; the report as the workers wrote it
            out.write(f'{{"file":{json.dumps(path, ensure_ascii=False)},"report":{result.report_json.decode()}}}\n')
        elif args.format == "csv":
            out.write(report_csv(result.report, file=path, header=header))
            header = False
        else:
            out.write(f"\n{style('bold', '== ' + path + ' ==')}\n")
            _print_text(result.report, lang=lang, style=style, out=out)
        if not result.conforms and worst == EXIT_CONFORMS:
            worst = EXIT_VIOLATIONS
    return worst


def cmd_convert(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    body, filename = _read_input(args.path)
    media_type = guess_media_type(body[:500].decode("utf-8", errors="replace"), filename)
    pipeline = _pipeline()
    mapped, _source, _detected = pipeline.read(body, media_type=media_type, source=args.source, origin=args.origin)
    if args.to == "ckan" or args.format == "json":
        out.write(json.dumps(to_ckan(mapped.triples), ensure_ascii=False, indent=1) + "\n")
        return 0
    if args.to == "es":
        triples = dcat_ap_es_triples(mapped.triples, knowledge=pipeline.profile.background.knowledge)
    else:
        triples = publication_triples(mapped.triples, profile=pipeline.profile)
    written = io.BytesIO()  # the linear writers (rdflib's Turtle writer is quadratic in namespaces)
    write_triples(triples, BY_KEY[args.format], written, context=pipeline.profile.context)
    out.write(written.getvalue().decode("utf-8"))
    return 0


def cmd_sources(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    lang = negotiate(query_lang=args.lang, accept_language=None, default="es")
    registry = _pipeline().registry
    for source in registry.sources.values():
        out.write(f"{source.name:<9} {render(source.label, lang)}\n          {render(source.description, lang)}\n")
    return 0


def _catalogue_service(command: str) -> tuple[CatalogueService, Pipeline]:
    """The data folder opened by this command (it fails, saying who holds it, when a server runs on it)."""
    pipeline = _pipeline()
    service = CatalogueService.open(get_settings(), pipeline.profile, sources=set(pipeline.registry.sources),
                                    holder=f"puente {command}")
    return service, pipeline


def cmd_token(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    service, _ = _catalogue_service("token")
    try:
        who = "cli:" + (os.environ.get("USER") or "?")
        if args.action == "create":
            token, secret = service.create_token(args.catalogue, args.name or "", who=who)
            err.write(f"{render(text('ui.cli.token_created', id=token.id, catalogue=token.catalogue), args.lang)}\n")
            out.write(secret + "\n")  # alone on the last line, for scripts
        elif args.action == "list":
            for token in tokens.listing(service.index):
                state = f"revoked {token.revoked}" if token.revoked else "live"
                out.write(f"{token.id}\t{token.catalogue}\t{state}\t{token.created}\t{token.name}\n")
        else:
            if not service.revoke_token(args.id, who=who):
                err.write(f"puente: {render(text('detail.unknown_token', id=args.id[:100]), args.lang)}\n")
                return EXIT_BAD_INPUT
            out.write(f"{args.id}\n")
        return 0
    finally:
        service.close()


def cmd_publish(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """Publish catalogue documents into a catalogue, on every core (what POST /catalogues/{cc}/datasets does)."""
    lang = args.lang or "es"
    service, pipeline = _catalogue_service("publish")
    worst = 0
    try:
        catalogue = service.catalogue(args.catalogue)
        job = Job(catalogue_iri=catalogue.iri, lang=lang, text_lang=LANGS.get(catalogue.spec.language, "es"))
        processes = args.processes or os.cpu_count() or 1
        for path in args.paths:
            body, filename = _read_input(path)
            media_type = guess_media_type(body[:500].decode("utf-8", errors="replace"), filename)
            own = pipeline.registry.sources.get(catalogue.spec.source)
            source = args.source or (own.name if own is not None and media_type in own.media_types else None)
            try:
                opened = pipeline.open(body, media_type=media_type, source=source)
            except PuenteError as error:
                err.write(f"puente: {path}: {render(error.detail, lang)}\n")
                worst = EXIT_BAD_INPUT
                continue
            count = len(opened.records) if opened.mapped is None else len(opened.mapped.triples) // 30
            parts = max(processes * 2, -(-count // SHARE_RECORDS))
            tasks = share_out(pipeline, opened, parts=parts, lang=lang, classes=RECORD_CLASSES)
            shares = map_shares(pipeline, tasks, prepare_task, job, processes=processes, ahead=processes)
            result = service.publish_document(catalogue, shares, who="cli:" + (os.environ.get("USER") or "?"),
                                              sync_full=args.sync == "full")
            summary = {"file": path, "source": result.source, **result.counts}
            if args.format == "json":
                out.write(json.dumps({**summary, "records": result.records}, ensure_ascii=False) + "\n")
            else:
                out.write(" ".join(f"{k}={v}" for k, v in summary.items()) + "\n")
            if result.counts.get("refused"):
                worst = max(worst, EXIT_VIOLATIONS)
        return worst
    finally:
        service.close()


def cmd_quality(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    """Score a catalogue's datasets (those stale since the last look) and print its aggregate and overdue list."""
    from datetime import UTC, datetime

    from app.quality.catalogue_quality import CatalogueQualityService
    from app.quality.formatting import format_quality

    service, _ = _catalogue_service("quality")
    try:
        quality = CatalogueQualityService.open(service, clock=lambda: datetime.now(UTC))
        try:
            chosen = args.catalogue or quality.shown_catalogues()
            for catalogue in chosen:
                service.catalogue(catalogue)  # an unknown one is named before any work
            aggregates = [quality.catalogue_quality(catalogue) for catalogue in chosen]
            for result in aggregates:
                if result.datasets == 0:
                    err.write(render(text("ui.cli.quality_none", catalogue=result.catalogue), args.lang) + "\n")
            out.write(format_quality(aggregates, fmt=args.format, metrics=quality.scorer.metrics, lang=args.lang))
        finally:
            quality.close()
        return 0
    finally:
        service.close()


def cmd_serve(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    import uvicorn

    uvicorn.run("app.main:app", host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="puente",
        description="Validate and harmonise open-data metadata (Colombia, Chile, Mexico, Spain) against the "
                    "Puente profile. / Valida y armoniza metadatos de datos abiertos con el perfil Puente.")
    commands = parser.add_subparsers(dest="command", required=True)
    sources = "dcat, ckan, socrata, datajson, co, cl, mx, es"

    validate = commands.add_parser("validate", help="validate a record or catalogue; exit 0 conforms, 1 violations, "
                                                    "2 unreadable input")
    validate.add_argument("paths", nargs="+", metavar="path",
                          help="file to validate, or - to read standard input; several files are validated one "
                               "after the other (json: one line per file; csv: a file column)")
    validate.add_argument("--source", help=f"input format ({sources}); detected when omitted")
    validate.add_argument("--origin", metavar="URL", help=_ORIGIN_HELP)
    validate.add_argument("--lang", choices=("es", "en", "pt"), help="language of the messages (default: es)")
    validate.add_argument("--format", choices=("text", "json", "csv", "ttl"), default="text",
                          help="text (readable, coloured on a terminal), json (the API report), csv (one row per "
                               "result), ttl (SHACL validation report)")
    validate.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    validate.add_argument("--processes", type=int, metavar="N",
                          help="processes for a catalogue (default: every core)")
    validate.set_defaults(handler=cmd_validate)

    convert = commands.add_parser("convert", help="convert a record to the common profile, DCAT-AP-ES or CKAN")
    convert.add_argument("path", help="file to convert, or - to read standard input")
    convert.add_argument("--source", help=f"input format ({sources}); detected when omitted")
    convert.add_argument("--origin", metavar="URL", help=_ORIGIN_HELP)
    convert.add_argument("--to", choices=("profile", "es", "ckan"), default="profile",
                         help="profile (harmonised DCAT), es (DCAT-AP-ES 1.0) or ckan (CKAN package dict)")
    convert.add_argument("--format", choices=("ttl", "jsonld", "rdf", "nt", "json"), default="ttl",
                         help="RDF syntax of the output (json only with --to ckan)")
    convert.set_defaults(handler=cmd_convert)

    listing = commands.add_parser("sources", help="list the input formats Puente reads")
    listing.add_argument("--lang", choices=("es", "en", "pt"))
    listing.set_defaults(handler=cmd_sources)

    from app.harvest.command import add_parser as add_harvest

    add_harvest(commands)

    token = commands.add_parser("token", help="write tokens of the harmonised catalogues (create, list, revoke)")
    token.add_argument("--lang", choices=("es", "en", "pt"), default="es")
    token_actions = token.add_subparsers(dest="action", required=True)
    create = token_actions.add_parser("create", help="a new token; printed alone on the last line, shown once")
    create.add_argument("--catalogue", required=True, help="the catalogue it may write (co, cl, mx, es...)")
    create.add_argument("--name", help="who or what uses it")
    token_actions.add_parser("list", help="every token (id, catalogue, state, created, name; never the secret)")
    revoke = token_actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id")
    token.set_defaults(handler=cmd_token)

    publish = commands.add_parser("publish", help="publish catalogue documents into a harmonised catalogue "
                                                  "(exit 0 all stored, 1 some refused, 2 unreadable input)")
    publish.add_argument("paths", nargs="+", metavar="path", help="catalogue document(s), or - for standard input")
    publish.add_argument("--catalogue", required=True, help="co, cl, mx, es or one from settings")
    publish.add_argument("--source", help=f"input format ({sources}); default: the catalogue's own, else detected")
    publish.add_argument("--sync", choices=("none", "full"), default="none",
                         help="full: also delete the catalogue's datasets the document no longer holds")
    publish.add_argument("--lang", choices=("es", "en", "pt"), help="language of the stored reports (default: es)")
    publish.add_argument("--format", choices=("text", "json"), default="text",
                         help="text: one summary line per file; json: one JSON line per file with every outcome")
    publish.add_argument("--processes", type=int, metavar="N", help="processes (default: every core)")
    publish.set_defaults(handler=cmd_publish)

    quality = commands.add_parser("quality", help="a harmonised catalogue's quality: MQA score by dimension, "
                                                  "freshness and the overdue datasets (worst first)")
    quality.add_argument("--catalogue", action="append", metavar="ID",
                         help="co, cl, mx, es or one from settings (repeat for several; default: every catalogue "
                              "that holds datasets)")
    quality.add_argument("--format", choices=("text", "json", "csv"), default="text",
                         help="text: for a terminal; json: what GET /catalogues/{cc}/quality answers; csv: one sheet")
    quality.add_argument("--lang", choices=("es", "en", "pt"), default="es")
    quality.set_defaults(handler=cmd_quality)

    serve = commands.add_parser("serve", help="start the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    if args.command == "convert" and args.format == "json" and args.to != "ckan":
        err.write("puente: --format json goes with --to ckan\n")
        return EXIT_BAD_INPUT
    try:
        code: int = args.handler(args, out=out, err=err)
        return code
    except PuenteError as error:
        lang = getattr(args, "lang", None) or "es"
        where = f" ({error.line}:{error.column})" if error.line is not None else ""
        err.write(f"puente: {render(error.detail, lang)}{where}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `puente validate x | head`: the reader left, nothing more to say
        return EXIT_CONFORMS
    except OSError as error:
        err.write(f"puente: {error.strerror or error}: {getattr(error, 'filename', '') or ''}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
