"""RDF/XML: DTDs and entity declarations are refused before any RDF parser reads the body (no XXE, no entity
expansion; docs/reference/security.md). Apart from guards.py because this subclasses a Python class, which
the compiled modules (app/native.py) may not do."""

from __future__ import annotations

import xml.sax

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.expatreader import DefusedExpatParser

from app.errors import ParseError, UnsafeInputError
from app.i18n import text


class _NoDtdParser(DefusedExpatParser):  # type: ignore[misc]
    """defusedxml's expat reader with DTDs forbidden outright and text buffered (no quadratic joins)."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True
        self._parser.buffer_size = 1 << 20


def check_xml_is_safe(body: bytes) -> None:
    """Refuse RDF/XML with a DTD or entity declarations before any RDF parser reads it."""
    parser = _NoDtdParser()
    parser.setContentHandler(xml.sax.handler.ContentHandler())
    try:
        parser.feed(body)
        parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as forbidden:
        raise UnsafeInputError(text("detail.xml_dtd")) from forbidden
    except xml.sax.SAXParseException as broken:
        raise ParseError(text("detail.syntax", syntax="RDF/XML", message=broken.getMessage()),
                         line=broken.getLineNumber(), column=(broken.getColumnNumber() or 0) + 1) from broken
