"""Puente: one DCAT-AP 3 based metadata profile for open-data portals in Ibero-America."""

from __future__ import annotations

import os

__version__ = "0.1.0"


def _refuse_a_stale_build() -> None:
    """Python imports a compiled module (.so) before its source: one older than its .py would run old code, silently.
    Checked here, before any module of the package is imported, so `make run`, `uvicorn app.main:app`, `puente`
    and the tests all stop with the same message (`make native` builds with PUENTE_NATIVE_BUILDING=1)."""
    if os.environ.get("PUENTE_NATIVE_BUILDING") == "1":
        return
    from app.native import stale_message  # standard library only: it imports nothing compiled

    message = stale_message()
    if message:
        raise SystemExit(message)


_refuse_a_stale_build()
