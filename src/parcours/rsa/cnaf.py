"""Reading the CNAF "flux bénéficiaires RSA" (schema vrsb0801.xsd, root `Racine`).

`read_flux` makes one streaming pass over the file: it validates it against the XSD
(libxml2's streaming validation, in constant memory), checks the root, the encoding and
the département, and writes each dossier as a plain dict to a spool file. Any problem
raises `FluxRejected` with a French message naming the line and element, before the
database is touched. `iter_spool` then gives the dossiers back for the import.
"""

from __future__ import annotations

import datetime
import hashlib
import marshal
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from parcours.core.xml_safety import PARSER_OPTIONS, UnsafeXml, check_prolog
from parcours.people.names import search_names, surnames
from parcours.people.nir import NIR_SHAPE, clean_nir, nir_key

XSD_PATH = Path(__file__).with_name("vrsb0801.xsd")
PROGRESS_EVERY = 500
SINGLE_BYTE_ENCODINGS = {"windows-1252", "cp1252", "iso-8859-15", "iso-8859-1", "latin-1", "latin1", "latin9"}
SUPPORTED_ENCODINGS = SINGLE_BYTE_ENCODINGS | {"utf-8", "utf8"}
# UTF-8 sequences of accented letters read as single bytes ("Ã©"): a file declared windows-1252
# that holds these was written in UTF-8.
MOJIBAKE = re.compile(rb"\xc3[\x80-\xbf]|\xc5[\x92\x93\xb8]")
DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


class FluxRejected(Exception):
    """The file is rejected whole; the message is in French and names the line and element."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class FluxHeader:
    flux_type: str  # I: daily, M: monthly
    reference_date: datetime.date
    created_on: datetime.date | None
    count: int
    encoding: str


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_PATH)))


def normalize_departement(code: str) -> str:
    """'059' -> '59', '971' -> '971', '02A' -> '2A'."""
    code = (code or "").strip().upper()
    if len(code) == 3 and code[0] == "0":
        return code[1:]
    return code


def _declared_encoding(path: Path) -> str | None:
    with open(path, "rb") as f:
        head = f.read(300)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    match = DECLARATION.match(head)
    return match.group(1).decode("ascii").lower() if match else None


class _ScanningReader:
    """A file wrapper for lxml that looks for UTF-8 bytes in a file declared single-byte."""

    def __init__(self, f, check_mojibake: bool):
        self.f = f
        self.check = check_mojibake
        self.offset = 0
        self.mojibake_at: int | None = None
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        if self.check and self.mojibake_at is None and (b"\xc3" in data or b"\xc5" in data):
            match = MOJIBAKE.search(self.tail + data)
            if match:
                self.mojibake_at = self.offset - len(self.tail) + match.start()
            self.tail = data[-1:]
        self.offset += len(data)
        return data


def _line_of_offset(path: Path, offset: int) -> int:
    with open(path, "rb") as f:
        return f.read(offset).count(b"\n") + 1


ELEMENT_IN_MESSAGE = re.compile(r"Element '([^']+)'")
WRAPPED_MESSAGE = re.compile(r"""^line (\d+): b?(['"])(.*)\2$""", re.S)


def _schema_detail(message: str) -> str:
    lowered = message.lower()
    if "this element is not expected" in lowered:
        return "élément inattendu à cet endroit"
    if "missing child element" in lowered:
        return "un élément obligatoire manque"
    if "maxlength" in lowered or "totaldigits" in lowered:
        return "valeur trop longue"
    if "is not a valid value" in lowered:
        return "valeur invalide (date, nombre ou booléen attendu)"
    if "no matching global declaration" in lowered:
        return "élément racine inconnu du schéma"
    return "non conforme au schéma"


def _locate_schema_error(path: Path, skip: int) -> tuple[int | None, str, str]:
    """Find the first invalid dossier (the streaming validator gives no line number).

    Validates, one by one, the top-level blocks from the `skip`-th on: only on the error
    path, in constant memory. Returns (line, element path, libxml2 message)."""
    validator = schema()
    position = -1
    for _, el in etree.iterparse(
        str(path),
        events=("end",),
        tag=("IdentificationFlux", "InfosFoyerRSA", "TransmissionFlux"),
        **PARSER_OPTIONS,
    ):
        position += el.tag == "InfosFoyerRSA"
        if (el.tag != "InfosFoyerRSA" or position >= skip - 1) and not validator.validate(el):
            entry = validator.error_log[0]
            return entry.line, entry.path or "", entry.message
        el.clear()
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]
    return None, "", ""


def _first_line_of(path: Path, tag: str) -> int | None:
    try:
        for _, el in etree.iterparse(str(path), events=("start",), tag=tag, **PARSER_OPTIONS):
            return el.sourceline
    except etree.XMLSyntaxError:
        return None
    return None


def _rejection(error: etree.XMLSyntaxError, path: Path, dossiers_done: int) -> FluxRejected:
    """Turn libxml2's error into a French message naming the line and the element."""
    raw = str(error.msg or error)
    line = error.lineno or None
    wrapped = WRAPPED_MESSAGE.match(raw)
    if wrapped:
        line = line or int(wrapped.group(1))
        raw = wrapped.group(3)
    lowered = raw.lower()
    if "no element found" in lowered or "document is empty" in lowered or "start tag expected" in lowered:
        return FluxRejected(
            f"Ligne {line or 1} : le fichier n'est pas un fichier XML (aucun élément trouvé). Détail : {raw}",
            line or 1,
        )
    if "invalid bytes" in lowered or "not proper utf-8" in lowered or "encoding" in lowered:
        return FluxRejected(
            f"Ligne {line} : encodage incorrect. Le fichier contient des caractères qui ne correspondent pas "
            "à l'encodage déclaré (ou, sans déclaration, à UTF-8) ; les flux CNAF sont en windows-1252 ou "
            f"ISO-8859-15 et doivent le déclarer. Détail : {raw}",
            line,
        )
    element = ELEMENT_IN_MESSAGE.search(raw)
    if element and "Element '" in raw and not wrapped:
        # A schema violation found by the streaming validator: locate it precisely.
        found_line, where, message = _locate_schema_error(path, dossiers_done)
        if found_line is None:
            found_line, where, message = _first_line_of(path, element.group(1)), element.group(1), raw
        name = ELEMENT_IN_MESSAGE.search(message)
        name = name.group(1) if name else element.group(1)
        return FluxRejected(
            f"Ligne {found_line}, élément « {name} » ({where}) : fichier non conforme au schéma CNAF "
            f"vrsb0801.xsd, {_schema_detail(message)}. Détail : {message}",
            found_line,
        )
    tag = re.search(r"(?:mismatch|end of data in tag|expected '</?)[: ]+(\w+)", raw)
    where = f"Ligne {line}" + (f", élément « {tag.group(1)} »" if tag else "")
    if "premature end" in lowered or "mismatch" in lowered or "not finished" in lowered or "eof" in lowered:
        return FluxRejected(f"{where} : le fichier est tronqué ou mal formé. Détail : {raw}", line)
    return FluxRejected(f"{where} : le fichier n'est pas un XML bien formé. Détail : {raw}", line)


def _flat(block) -> dict:
    """{tag: text} of a block's descendants (the last one wins for repeated tags)."""
    return {node.tag: node.text for node in block.iter()}


def _s(flat: dict, tag: str) -> str:
    value = flat.get(tag)
    return value.strip() if value else ""


def _d(flat: dict, tag: str) -> str | None:
    value = flat.get(tag)
    return value.strip()[:10] if value else None


def _amount(value: str | None) -> Decimal | None:
    try:
        return Decimal(value.strip()) if value else None
    except InvalidOperation:
        return None


def _bool(value: str | None) -> bool:
    return bool(value) and value.strip().lower() in ("1", "true")


def nir_problem(nir: str) -> str:
    """A French explanation if the NIR given by the flux is unusable, else ''."""
    if not nir:
        return ""
    if not NIR_SHAPE.match(nir):
        return "NIR mal formé"
    if len(nir) == 15 and int(nir[13:]) != nir_key(nir[:13]):
        return "clé du NIR incorrecte"
    return ""


def _person(p) -> dict:
    person = {"role": "", "duties": False, "attached_on": None, "france_travail_id": ""}
    for block in p:
        tag = block.tag
        if tag == "Identification":
            f = {child.tag: child.text for child in block}
            nir = _s(f, "NIR")
            if nir and not nir.isalnum():
                nir = clean_nir(nir)
            last_name, birth_name = _s(f, "NOM"), _s(f, "NOMNAI")
            first_names = " ".join(v for v in (_s(f, "PRENOM"), _s(f, "PRENOM2"), _s(f, "PRENOM3")) if v)
            person.update(
                last_name=last_name,
                birth_name=birth_name,
                first_names=first_names,
                birth_date=_d(f, "DTNAI"),
                sex={"1": "M", "2": "F"}.get(_s(f, "SEXE"), ""),
                nir=nir,
                nir_problem=nir_problem(nir),
                # Normalised here, in the reading process, to spare the importer's.
                search_names=search_names(last_name, birth_name, first_names),
                surnames=sorted(surnames(last_name, birth_name)),
            )
        elif tag == "DossierCAF":
            value = block.findtext("DDRATDOS")
            person["attached_on"] = value.strip()[:10] if value else None
        elif tag == "Prestations":
            if not person["role"] or (block.findtext("NATPREST") or "").strip() == "RSA":
                person["role"] = (block.findtext("ROLEPERS") or "").strip().upper()
        elif tag == "DossierPoleEmploi":
            person["france_travail_id"] = (block.findtext("IDASSEDIC") or "").strip()
        elif tag == "MontantCalculDroitRSAPersonne":
            person["duties"] = _bool(block.findtext("TOPPERSDRODEVORSA"))
    return person


def _address(donnees) -> dict:
    address = {"insee_code": "", "postal_code": "", "street": "", "complement": "", "moved_in_on": None}
    for adr in donnees.iterfind("Adresse"):
        f = _flat(adr)
        if _s(f, "RGADR").lstrip("0") not in ("", "1"):
            continue
        address["moved_in_on"] = _d(f, "DTEMM")
        if "NUMCOM" in f:
            address.update(
                insee_code=_s(f, "NUMCOM"),
                postal_code=_s(f, "CODEPOS").zfill(5) if _s(f, "CODEPOS") else "",
                street=" ".join(v for v in (_s(f, "NUMVOIE"), _s(f, "LIBTYPEVOIE"), _s(f, "NOMVOIE")) if v),
                complement=" ".join(
                    v for v in (_s(f, "COMPLIDEADR"), _s(f, "COMPLADR"), _s(f, "LIEUDIST")) if v
                ),
            )
        else:
            address["abroad"] = True
        break
    return address


def dossier_from_element(el) -> dict:
    """The plain-dict form of one <InfosFoyerRSA>, with only what Parcours uses."""
    dossier = {"persons": []}
    for block in el:
        tag = block.tag
        if tag == "IdentificationRSA":
            f = _flat(block)
            dossier.update(
                organism=_s(f, "FONORG").upper(),
                organism_number=_s(f, "NUMORG"),
                matricule=_s(f, "MATRICULE").lstrip("0") or "0",
                departement=_s(f, "IDEPARTE"),
                request_number=_s(f, "NUMDEMRSA"),
                requested_on=_d(f, "DTDEMRSA"),
                arrived_on=_d(f, "DDARRMUT"),
                left_on=_d(f, "DDDEPAMUT"),
            )
        elif tag == "Personne":
            dossier["persons"].append(_person(block))
        elif tag == "DonneesAdministratives":
            dossier["address"] = _address(block)
        elif tag == "PrestationRSA":
            dossier.update(_right(block))
    if not dossier.get("opened_on"):
        dossier["opened_on"] = dossier.get("requested_on")
    return dossier


def _right(prestation) -> dict:
    right = {
        "state": "",
        "refused_on": None,
        "refusal_reason": "",
        "suspended_on": None,
        "suspension_reason": "",
        "suspension_kind": "",
        "closed_on": None,
        "closure_reason": "",
        "opened_on": None,
        "amount_paid": None,
        "amount_total": None,
    }
    paid = []
    for part in prestation:
        for block in part:
            tag = block.tag
            if tag == "EtatDossierRSA":
                right["state"] = _s(_flat(block), "ETATDOSRSA")
            elif tag == "Refus":
                f = _flat(block)
                right.update(refused_on=_d(f, "DTREFURSA"), refusal_reason=_s(f, "MOTIREFURSA"))
            elif tag in ("SuspensionDroit", "SuspensionVersement"):
                f = _flat(block)
                droit = tag == "SuspensionDroit"
                on = _d(f, "DDSUSDRORSA" if droit else "DDSUSVERSRSA")
                if on and (right["suspended_on"] is None or on > right["suspended_on"]):
                    right.update(
                        suspended_on=on,
                        suspension_reason=_s(f, "MOTISUSDRORSA" if droit else "MOTISUSVERSRSA"),
                        suspension_kind="droit" if droit else "versement",
                    )
            elif tag in ("FinDroit", "FinDroitMoisAnterieur"):
                f = _flat(block)
                right.update(closed_on=_d(f, "DTCLORSA"), closure_reason=_s(f, "MOTICLORSA"))
            elif tag == "MontantsCalculDroitRSA":
                total = _amount(_flat(block).get("MTTOTDRORSA"))
                right["amount_total"] = str(total) if total is not None else None
            elif tag == "DetailCalculDroitRSA":
                f = _flat(block)
                start = _d(f, "DDNATDRO")
                if start and (right["opened_on"] is None or start < right["opened_on"]):
                    right["opened_on"] = start
                amount = _amount(f.get("MTRSAVERS"))
                if amount is not None:
                    paid.append(amount)
    if paid:
        right["amount_paid"] = str(sum(paid))
    return right


def dossier_key(dossier: dict) -> str:
    return f"{dossier['organism']}/{dossier['organism_number']}/{dossier['matricule']}"


def read_flux(
    path: str | Path,
    *,
    departement: str,
    spool,
    on_header: Callable[[dict], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> FluxHeader:
    """Validate the whole flux and write its dossiers to `spool` (a binary file), in constant memory.

    Raises `FluxRejected` for anything that makes the file unusable: a DOCTYPE or entity
    declaration (refused before parsing, see `core.xml_safety`), not XML, truncated, wrong
    root, XSD violation, encoding error, a dossier of another département. `on_header`
    gets the IdentificationFlux fields as soon as they are read; `on_progress` gets the number
    of dossiers written every PROGRESS_EVERY dossiers, after the spool is flushed."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise FluxRejected("Le fichier est vide.")
    with open(path, "rb") as head:
        try:
            check_prolog(head)
        except UnsafeXml as unsafe:
            line = _line_of_offset(path, unsafe.offset or 0)
            message = unsafe.message[0].lower() + unsafe.message[1:]
            raise FluxRejected(f"Ligne {line} : {message}", line) from None
    declared = _declared_encoding(path)
    if declared is not None and declared not in SUPPORTED_ENCODINGS:
        raise FluxRejected(
            f"Ligne 1, déclaration XML : encodage « {declared} » non pris en charge "
            "(attendus : windows-1252, ISO-8859-15 ou UTF-8).",
            1,
        )
    wanted = normalize_departement(departement)
    header: dict = {}
    count = 0
    with open(path, "rb") as raw:
        reader = _ScanningReader(raw, check_mojibake=declared in SINGLE_BYTE_ENCODINGS)
        events = etree.iterparse(
            reader,
            events=("end",),
            tag=("InfosFoyerRSA", "IdentificationFlux", "TransmissionFlux"),
            schema=schema(),
            # Not resolve_entities=False here: with a schema, lxml 6.1 then reports no error at
            # all for a truncated file. The DOCTYPE refused above leaves no entity to resolve.
            **(PARSER_OPTIONS | {"resolve_entities": "internal"}),
        )
        try:
            for _, el in events:
                parent = el.getparent()
                if parent is None or parent.tag != "Racine" or parent.getparent() is not None:
                    root = el.getroottree().getroot().tag
                    raise FluxRejected(
                        f"Ligne {el.sourceline}, élément « {el.tag} » : l'élément racine du fichier est "
                        f"« {root} » ; un flux bénéficiaires RSA a pour racine « Racine ».",
                        el.sourceline,
                    )
                if el.tag == "InfosFoyerRSA":
                    if not header:
                        raise FluxRejected(
                            f"Ligne {el.sourceline} : le bloc IdentificationFlux doit précéder les dossiers.",
                            el.sourceline,
                        )
                    dossier = dossier_from_element(el)
                    if normalize_departement(dossier["departement"]) != wanted:
                        line = el.find("IdentificationRSA/Partenaire/IDEPARTE").sourceline
                        raise FluxRejected(
                            f"Ligne {line}, élément « IDEPARTE » : ce flux concerne le département "
                            f"« {dossier['departement']} », pas celui de cette installation ({wanted}). "
                            "Aucun dossier n'a été importé.",
                            line,
                        )
                    # The digest covers the content only, not the line numbers added after it.
                    dossier["fingerprint"] = hashlib.md5(
                        marshal.dumps(dossier), usedforsecurity=False
                    ).hexdigest()
                    dossier["line"] = el.sourceline
                    for person, block in zip(dossier["persons"], el.iterfind("Personne"), strict=True):
                        person["line"] = block.sourceline
                    frame = marshal.dumps(dossier)
                    spool.write(len(frame).to_bytes(4, "little"))
                    spool.write(frame)
                    count += 1
                    if on_progress is not None and count % PROGRESS_EVERY == 0:
                        spool.flush()
                        on_progress(count)
                elif el.tag == "IdentificationFlux":
                    f = _flat(el)
                    header = {
                        "flux_type": _s(f, "TYPEFLUX"),
                        "reference_date": datetime.date.fromisoformat(_d(f, "DTREF")),
                        "created_on": datetime.date.fromisoformat(_d(f, "DTCREAFLUX")),
                    }
                    if header["flux_type"] not in ("I", "M"):
                        line = el.find("TYPEFLUX").sourceline
                        raise FluxRejected(
                            f"Ligne {line}, élément « TYPEFLUX » : valeur « {header['flux_type']} » "
                            "inconnue (I pour quotidien, M pour mensuel).",
                            line,
                        )
                    if on_header is not None:
                        on_header(header)
                if reader.mojibake_at is not None:
                    break
                el.clear()
                while el.getprevious() is not None:
                    del parent[0]
            if reader.mojibake_at is None:
                root = events.root
                if root is None or root.tag != "Racine":
                    raise FluxRejected(
                        f"Ligne 1 : l'élément racine du fichier est « {getattr(root, 'tag', '?')} » ; "
                        "un flux bénéficiaires RSA a pour racine « Racine ».",
                        1,
                    )
        except etree.XMLSyntaxError as error:
            raise _rejection(error, path, count) from None
        if reader.mojibake_at is not None:
            line = _line_of_offset(path, reader.mojibake_at)
            raise FluxRejected(
                f"Ligne {line} : le fichier déclare l'encodage « {declared} » mais contient des caractères "
                "encodés en UTF-8 (« Ã© » au lieu de « é »). Corrigez la déclaration d'encodage.",
                line,
            )
    if not header:
        raise FluxRejected("Le bloc IdentificationFlux est absent.")
    spool.flush()
    return FluxHeader(count=count, encoding=declared or "utf-8", **header)


def iter_spool(spool) -> Iterator[dict]:
    """The dossiers written by `read_flux`, in file order, with their line numbers ("line" of the
    dossier and of each person) and "fingerprint", a digest of their content."""
    spool.seek(0)
    while True:
        size = spool.read(4)
        if len(size) < 4:
            return
        yield marshal.loads(spool.read(int.from_bytes(size, "little")))  # noqa: S302 (our own spool)


def open_spool():
    return tempfile.TemporaryFile(prefix="parcours-flux-")
