"""Refusing hostile XML before a parser sees it: no DOCTYPE, hence no entity.

Nothing Parcours reads (the CNAF flux, the XML parts of XLSX and ODS workbooks) needs a
document type declaration, and a DTD is what entity expansion attacks ("billion laughs",
external entities reading local files or the network) are made of. `check_prolog` reads the
bytes before the root element and raises `UnsafeXml` on any markup declaration there
(`<!DOCTYPE`, `<!ENTITY`…), on a prolog longer than `PROLOG_LIMIT`, and on UTF-16/UTF-32
text, whose declarations a byte scan could not see. Parsers are still opened with
`PARSER_OPTIONS` (no entity resolution, no DTD, no network, no huge trees), as a second line.
"""

from __future__ import annotations

from typing import BinaryIO

PROLOG_LIMIT = 64 * 1024
READ_SIZE = 8192
DTD_REFUSED = "Le fichier contient une déclaration DOCTYPE ou des entités XML, refusées par sécurité."
# For lxml's parsers and iterparse. (With an XMLSchema, lxml 6.1 needs resolve_entities left at
# "internal": see rsa.cnaf.read_flux.)
PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class UnsafeXml(Exception):
    """The XML is refused before parsing; `message` is in French, `offset` is the byte where the
    refused part starts (None when it is the whole prolog)."""

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset


def check_prolog(stream: BinaryIO) -> None:
    """Read `stream` up to its root element's start tag; raise UnsafeXml if the prolog holds a
    markup declaration (DOCTYPE, ENTITY…), is wider than one byte per character, or is longer
    than PROLOG_LIMIT. Comments and processing instructions are skipped. Without any element
    (not XML at all) it returns: the parser will reject the file with its own message."""
    buffer = b""
    position = 0
    at_end = False
    while True:
        start = buffer.find(b"<", position)
        # Enough bytes to tell "<!--", "<?" and "<!" apart.
        if start != -1 and (len(buffer) - start >= 4 or at_end):
            marker = buffer[start + 1 : start + 4]
            if marker.startswith(b"!--"):
                end, closing = buffer.find(b"-->", start + 4), b"-->"
            elif marker.startswith(b"?"):
                end, closing = buffer.find(b"?>", start + 2), b"?>"
            elif marker.startswith(b"!"):
                raise UnsafeXml(DTD_REFUSED, start)
            else:
                _check_width(buffer[: start + 4])
                return  # the root element
            if end != -1:
                position = end + len(closing)
                continue
        if at_end:
            _check_width(buffer)
            return  # no element, or an unfinished comment: not XML, for the parser to say
        if len(buffer) > PROLOG_LIMIT:
            raise UnsafeXml(
                f"Aucun élément XML dans les {PROLOG_LIMIT // 1024} premiers Ko du fichier : "
                "ce n'est pas un fichier XML attendu, refusé par sécurité."
            )
        block = stream.read(READ_SIZE)
        at_end = not block
        buffer += block


def _check_width(prolog: bytes) -> None:
    if prolog.startswith(WIDE_BOMS) or b"\x00" in prolog:
        raise UnsafeXml(
            "Le fichier est encodé en UTF-16 ou UTF-32, refusé : enregistrez-le en UTF-8 ou en windows-1252.",
            0,
        )
