"""One error hierarchy for the whole service; api/errors.py maps it to HTTP in one place.

A SHACL non-conformance is data (a report), never an exception.
"""

from __future__ import annotations

from typing import ClassVar

from app.i18n import LocalText, render


class PuenteError(Exception):
    """Base of every error Puente reports to a client."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title_key: ClassVar[str] = "error.internal"

    def __init__(self, detail: LocalText, *, line: int | None = None, column: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(render(detail, "en"))
        self.detail = detail
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        return render(self.detail, "en")

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries (validation workers): keep every language and the position.
        return (_rebuild, (type(self), self.detail, self.line, self.column, self.field))


def _rebuild(cls: type[PuenteError], detail: LocalText, line: int | None, column: int | None,
             field: str | None) -> PuenteError:
    return cls(detail, line=line, column=column, field=field)


class ConfigurationError(PuenteError):
    """A shapes, vocabulary or crosswalk file is broken: the service must not start."""

    slug = "configuration-error"
    title_key = "error.configuration"


class InputError(PuenteError):
    """The request cannot be read."""

    status = 400
    slug = "bad-input"
    title_key = "error.bad_input"


class ParseError(InputError):
    """The body is not well-formed in the syntax it claims."""

    slug = "parse-error"
    title_key = "error.parse"


class UnsafeInputError(InputError):
    """The body asks Puente to fetch or expand something it never will (remote contexts, DTDs)."""

    slug = "unsafe-input"
    title_key = "error.unsafe"


class UnsupportedMediaTypeError(PuenteError):
    status = 415
    slug = "unsupported-media-type"
    title_key = "error.media_type"


class NotAcceptableError(PuenteError):
    status = 406
    slug = "not-acceptable"
    title_key = "error.not_acceptable"


class PayloadTooLargeError(PuenteError):
    status = 413
    slug = "payload-too-large"
    title_key = "error.too_large"


class NotFoundError(PuenteError):
    status = 404
    slug = "not-found"
    title_key = "error.not_found"


class NoRecordsError(PuenteError):
    """The input parsed but holds nothing Puente can validate (no dataset, catalogue or service)."""

    status = 422
    slug = "no-records"
    title_key = "error.no_records"


class ValidationTimeoutError(PuenteError):
    """A validation ran longer than PUENTE_VALIDATION_TIMEOUT_S; its worker was stopped and replaced."""

    status = 503
    slug = "validation-timeout"
    title_key = "error.timeout"


class _AboutUrl:
    """Mixed into errors about a remote URL: the URL stays attached (also across processes)."""

    url: str | None = None

    def __reduce__(self) -> tuple[object, ...]:
        assert isinstance(self, PuenteError)
        return (_rebuild_about_url, (type(self), self.detail), dict(vars(self)))


def _rebuild_about_url(cls: type[PuenteError], detail: LocalText) -> PuenteError:
    return cls(detail)  # the other attributes (url, field...) come back as the pickled state


class UnsafeUrlError(_AboutUrl, InputError):
    """Puente will not fetch this URL: not http(s), no valid host, or a host that is (or resolves to) a
    loopback, private, link-local or cloud-metadata address (unless PUENTE_ALLOW_PRIVATE_URLS=true)."""

    slug = "unsafe-url"
    title_key = "error.unsafe_url"

    def __init__(self, detail: LocalText, *, url: str | None = None) -> None:
        super().__init__(detail, field="url")
        self.url = url


class FetchError(_AboutUrl, PuenteError):
    """A remote server gave no usable answer: an error status, a timeout, a broken connection, too large a
    body, too many redirects."""

    status = 502
    slug = "fetch-failed"
    title_key = "error.fetch"

    def __init__(self, detail: LocalText, *, url: str | None = None, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.url = url
        self.status_code = status_code


class HarvestError(_AboutUrl, PuenteError):
    """A harvest cannot go on: the source's answers do not add up (a page that loops, an unreadable page, a
    listing whose count does not match)."""

    status = 502
    slug = "harvest-failed"
    title_key = "error.harvest"

    def __init__(self, detail: LocalText, *, url: str | None = None) -> None:
        super().__init__(detail)
        self.url = url


class UnauthorizedError(PuenteError):
    """No token, or a token Puente does not know (or has revoked)."""

    status = 401
    slug = "unauthorized"
    title_key = "error.unauthorized"


class ForbiddenError(PuenteError):
    """A valid token that may not do this (another catalogue's token, a catalogue token on an admin route)."""

    status = 403
    slug = "forbidden"
    title_key = "error.forbidden"


class ConflictError(PuenteError):
    """The request contradicts the state of the catalogue (the URL names one record, the body another)."""

    status = 409
    slug = "conflict"
    title_key = "error.conflict"


class GoneError(PuenteError):
    """The record was deleted; its tombstone stays for the changes feed."""

    status = 410
    slug = "gone"
    title_key = "error.gone"


class PreconditionFailedError(PuenteError):
    """If-Match / If-None-Match did not hold: the record changed since the client read it."""

    status = 412
    slug = "precondition-failed"
    title_key = "error.precondition"


class RecordRefusedError(PuenteError):
    """A record with violations: nothing is stored, the answer carries its validation report."""

    status = 422
    slug = "record-refused"
    title_key = "error.record_refused"

    def __init__(self, detail: LocalText, *, report: dict[str, object] | None = None, iri: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.report = report
        self.iri = iri


class CatalogueUnavailableError(PuenteError):
    """The catalogue's data folder is held by another process (one writer at a time) or could not be opened."""

    status = 503
    slug = "catalogue-unavailable"
    title_key = "error.catalogue_unavailable"


class WorkerFailedError(PuenteError):
    """The worker process handling a request ended (killed, out of memory) or could not answer; it was replaced."""

    status = 503
    slug = "worker-failed"
    title_key = "error.unavailable"


class ServiceBusyError(PuenteError):
    """No worker process became free within the time a request may wait for one."""

    status = 503
    slug = "busy"
    title_key = "error.unavailable"


class RequestTimeoutError(PuenteError):
    """The client stopped sending its request body."""

    status = 408
    slug = "request-timeout"
    title_key = "error.request_timeout"


class StoreError(PuenteError):
    """The SPARQL server behind the catalogue did not answer as asked, or its answer may be incomplete (a server
    that caps results silently): nothing partial is ever passed on as whole."""

    status = 503
    slug = "store-unavailable"
    title_key = "error.store"


class QueryTimeoutError(PuenteError):
    """A /sparql query ran past PUENTE_SPARQL_TIMEOUT_S (or the SPARQL server judged it would); it was stopped."""

    status = 503
    slug = "query-timeout"
    title_key = "error.query_timeout"
