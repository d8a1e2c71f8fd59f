"""Synthetic CNAF "flux bénéficiaires RSA" files (schema vrsb0801.xsd), for tests and benchmarks.

`write_flux` writes, in constant memory, a valid flux for any iterable of `SyntheticDossier`;
`random_dossiers` makes plausible dossiers from a seed. No real person's data is involved.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from parcours.people.nir import nir_with_key


@dataclass
class SyntheticPerson:
    last_name: str
    first_name: str
    birth_date: datetime.date
    sex: str = "2"  # CNAF code: 1 man, 2 woman
    birth_name: str = ""
    nir: str | None = None
    role: str = "DEM"
    subject_to_duties: bool = True
    attached_on: datetime.date = datetime.date(2024, 1, 1)
    france_travail_id: str | None = None
    first_name2: str | None = None


@dataclass
class SyntheticDossier:
    matricule: int
    numdemrsa: str
    persons: list[SyntheticPerson]
    state: str = "2"
    requested_on: datetime.date = datetime.date(2024, 1, 1)
    opened_on: datetime.date | None = datetime.date(2024, 1, 1)
    insee_code: str = "59350"
    postal_code: str = "59000"
    commune_name: str = "LILLE"
    street_number: str = "12"
    street_type: str = "RUE"
    street_name: str = "DES TESTS"
    moved_in_on: datetime.date | None = None
    suspension: tuple[str, datetime.date] | None = None  # (MOTISUSDRORSA, DDSUSDRORSA)
    payment_suspension: tuple[str, datetime.date] | None = None  # (MOTISUSVERSRSA, DDSUSVERSRSA)
    closure: tuple[str, datetime.date] | None = None  # (MOTICLORSA, DTCLORSA)
    refusal: tuple[str, datetime.date] | None = None
    arrived_on: datetime.date | None = None
    left_on: datetime.date | None = None
    amount_paid: Decimal = Decimal("607.75")
    amount_total: Decimal = Decimal("607.75")
    departement: str = "059"
    organism: str = "CAF"
    organism_number: str = "591"
    extra: dict = field(default_factory=dict)


def _b(value: bool) -> str:
    return "1" if value else "0"


def _e(tag: str, value) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def dossier_xml(d: SyntheticDossier) -> str:
    """The <InfosFoyerRSA> element of one dossier, in the XSD's element order."""
    out = ["<InfosFoyerRSA><IdentificationRSA><Organisme>"]
    out.append(_e("FONORG", d.organism) + _e("NUMORG", d.organism_number) + _e("MATRICULE", d.matricule))
    out.append("</Organisme><Partenaire>" + _e("TYPEPARTE", "CG") + _e("IDEPARTE", d.departement))
    out.append("</Partenaire><DemandeRSA>" + _e("DTDEMRSA", d.requested_on) + _e("NUMDEMRSA", d.numdemrsa))
    out.append("</DemandeRSA>")
    if d.arrived_on:
        out.append(
            "<OrganismeCedant>"
            + _e("FONORGCEDMUT", "CAF")
            + _e("NUMORGCEDMUT", "621")
            + _e("DDARRMUT", d.arrived_on)
            + "</OrganismeCedant>"
        )
    if d.left_on:
        out.append(
            "<OrganismePrenant>"
            + _e("FONORGPRENMUT", "CAF")
            + _e("NUMORGPRENMUT", "751")
            + _e("DDDEPAMUT", d.left_on)
            + "</OrganismePrenant>"
        )
    out.append("</IdentificationRSA>")
    for p in d.persons:
        out.append("<Personne><Identification>")
        out.append(_e("QUAL", "MR" if p.sex == "1" else "MME"))
        out.append(
            _e("NOM", p.last_name) + _e("NOMNAI", p.birth_name or p.last_name) + _e("PRENOM", p.first_name)
        )
        if p.first_name2:
            out.append(_e("PRENOM2", p.first_name2))
        out.append(_e("NOMCOMNAI", "LILLE") + _e("DTNAI", p.birth_date))
        if p.nir:
            out.append(_e("NIR", p.nir))
        out.append(_e("SEXE", p.sex) + "</Identification><DossierCAF>")
        out.append(_e("TOPRESPDOS", _b(p.role == "DEM")) + _e("DDRATDOS", p.attached_on) + "</DossierCAF>")
        out.append("<Prestations>" + _e("NATPREST", "RSA") + _e("ROLEPERS", p.role) + _e("TOPCHAPERS", "0"))
        out.append("</Prestations><Prestations>" + _e("NATPREST", "PFA") + _e("ROLEPERS", p.role))
        out.append(_e("TOPCHAPERS", "0") + "</Prestations>")
        if p.france_travail_id:
            out.append("<DossierPoleEmploi>" + _e("IDASSEDIC", p.france_travail_id) + "</DossierPoleEmploi>")
        out.append(
            "<MontantCalculDroitRSAPersonne>"
            + _e("TOPPERSDRODEVORSA", _b(p.subject_to_duties))
            + "</MontantCalculDroitRSAPersonne></Personne>"
        )
    out.append("<DonneesAdministratives><SituationFamille>" + _e("SITFAM", "CEL"))
    out.append(_e("DDSITFAM", d.requested_on) + "</SituationFamille><Adresse><TroncCommunAdresse>")
    out.append(_e("RGADR", "1"))
    if d.moved_in_on:
        out.append(_e("DTEMM", d.moved_in_on))
    out.append(_e("PAYS", "FRA") + _e("TYPEADR", "D") + _e("ETATADR", "CO"))
    out.append("</TroncCommunAdresse><AdresseDetailleeFrance>" + _e("COMPLIDEADR", "") + _e("COMPLADR", ""))
    out.append(
        _e("NUMVOIE", d.street_number) + _e("LIBTYPEVOIE", d.street_type) + _e("NOMVOIE", d.street_name)
    )
    out.append(_e("LIEUDIST", "") + _e("NUMCOM", d.insee_code) + _e("CODEPOS", d.postal_code))
    out.append(_e("NOMCOM", d.commune_name) + "</AdresseDetailleeFrance></Adresse></DonneesAdministratives>")
    out.append("<PrestationRSA><SituationDossierRSA><EtatDossierRSA>" + _e("ETATDOSRSA", d.state))
    out.append("</EtatDossierRSA>")
    if d.refusal:
        out.append("<Refus>" + _e("DTREFURSA", d.refusal[1]) + _e("MOTIREFURSA", d.refusal[0]) + "</Refus>")
    if d.suspension:
        out.append(
            "<SuspensionDroit>"
            + _e("MOTISUSDRORSA", d.suspension[0])
            + _e("DDSUSDRORSA", d.suspension[1])
            + "</SuspensionDroit>"
        )
    if d.payment_suspension:
        out.append(
            "<SuspensionVersement>"
            + _e("MOTISUSVERSRSA", d.payment_suspension[0])
            + _e("DDSUSVERSRSA", d.payment_suspension[1])
            + "</SuspensionVersement>"
        )
    if d.closure:
        out.append(
            "<FinDroit>" + _e("MOTICLORSA", d.closure[0]) + _e("DTCLORSA", d.closure[1]) + "</FinDroit>"
        )
    out.append("</SituationDossierRSA><DetailDroitRSA><TroncCommunDroitRSA>")
    out.append(_e("TOPSANSDOMFIXE", "0") + _e("ORIDEMRSA", "RSA") + _e("TOPFOYDRODEVORSA", "1"))
    out.append("</TroncCommunDroitRSA><MontantsCalculDroitRSA>" + _e("DDELECAL", d.requested_on))
    out.append(_e("MTREVMINIGARARSA", d.amount_total) + _e("MTREVGARARSA", d.amount_total))
    out.append(_e("MTRESSMENRSA", "0.00") + _e("MTTOTDRORSA", d.amount_total) + "</MontantsCalculDroitRSA>")
    if d.opened_on:
        out.append("<DetailCalculDroitRSA>" + _e("NATPF", "RSD") + _e("SOUSNATPF", "RSBAS"))
        out.append(_e("DDNATDRO", d.opened_on) + _e("MTRSAVERS", d.amount_paid) + "</DetailCalculDroitRSA>")
    out.append("</DetailDroitRSA></PrestationRSA></InfosFoyerRSA>\n")
    return "".join(out)


def write_flux(
    target: str | Path | BinaryIO,
    dossiers: Iterable[SyntheticDossier],
    *,
    reference_date: datetime.date = datetime.date(2024, 6, 30),
    flux_type: str = "M",
    encoding: str = "windows-1252",
    declare_encoding: bool = True,
) -> int:
    """Write a flux file and return the number of dossiers written (constant memory)."""
    own = not hasattr(target, "write")
    out = open(target, "wb") if own else target  # noqa: SIM115
    try:
        declaration = f' encoding="{encoding}"' if declare_encoding else ""
        header = (
            f'<?xml version="1.0"{declaration}?>\n<Racine>\n<IdentificationFlux>'
            + _e("APPLIEME", "CRI")
            + _e("NUMVERSIONAPPLIEME", "0801")
            + _e("TYPEFLUX", flux_type)
            + _e("NATFLUX", "D")
            + _e("DTCREAFLUX", reference_date + datetime.timedelta(days=1))
            + _e("HEUCREAFLUX", "03:00:00")
            + _e("DTREF", reference_date)
            + "</IdentificationFlux>\n"
        )
        out.write(header.encode(encoding))
        count = 0
        buffer = []
        for dossier in dossiers:
            buffer.append(dossier_xml(dossier))
            count += 1
            if len(buffer) >= 500:
                out.write("".join(buffer).encode(encoding, "xmlcharrefreplace"))
                buffer.clear()
        out.write("".join(buffer).encode(encoding, "xmlcharrefreplace"))
        footer = (
            "<TransmissionFlux>"
            + _e("NBTOTDOSRSATRANSM", count)
            + _e("NBTOTDOSRSATRANSMANO", 0)
            + "</TransmissionFlux>\n</Racine>\n"
        )
        out.write(footer.encode(encoding))
    finally:
        if own:
            out.close()
    return count


LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefèvre", "Lefebvre", "Dupont", "Fournier", "Lemaire",
              "Dhérouville", "Vandenbussche", "Dewaele", "Duquesne", "Leroy", "Moreau", "Béhague", "Kaczmarek",
              "Nowak", "Ben Ahmed", "Diallo", "Da Silva", "Wattiez", "Delattre", "Caron", "Lambert"]  # fmt: skip
FIRST_F = ["Marie", "Léa", "Chloé", "Inès", "Fatima", "Nathalie", "Sophie", "Émilie", "Aïcha", "Julie"]
FIRST_M = ["Jean", "Kévin", "Mohamed", "Thomas", "Lucas", "Jérôme", "François", "Yanis", "Hugo", "Rémi"]


def synthetic_nir(sex: str, birth_date: datetime.date, serial: int) -> str:
    """A NIR with a valid key, born in the Nord (59), unique per serial (< 10⁶)."""
    return nir_with_key(f"{sex}{birth_date:%y%m}59{serial // 1000 % 1000:03d}{serial % 1000:03d}")


def random_dossiers(
    count: int,
    *,
    seed: int = 1,
    communes: list[tuple[str, str, str]] | None = None,
    start: int = 0,
) -> Iterator[SyntheticDossier]:
    """`count` plausible dossiers: one or two adults, mostly open and paid rights.

    `communes` is a list of (INSEE code, postal code, name); dossier n is the same for a
    given seed whatever `count`, so a flux can be rebuilt piecewise."""
    communes = communes or [("59350", "59000", "LILLE")]
    for n in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + n)
        requested = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(540))
        opened = requested.replace(day=1)
        persons = []
        sex = rng.choice("12")
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        last = rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_M if sex == "1" else FIRST_F)
        persons.append(
            SyntheticPerson(
                last, first, born, sex, nir=synthetic_nir(sex, born, 2 * n), role="DEM", attached_on=opened
            )  # fmt: skip
        )
        if rng.random() < 0.35:
            sex2 = "2" if sex == "1" else "1"
            born2 = born + datetime.timedelta(days=rng.randrange(-2000, 2000))
            persons.append(
                SyntheticPerson(
                    last,
                    rng.choice(FIRST_M if sex2 == "1" else FIRST_F),
                    born2,
                    sex2,
                    nir=synthetic_nir(sex2, born2, 2 * n + 1),
                    role="CJT",
                    attached_on=opened,
                )  # fmt: skip
            )
        insee, postal, name = communes[n % len(communes)]
        state = rng.choices("2345", weights=[85, 5, 5, 5])[0]
        dossier = SyntheticDossier(
            matricule=1_000_000 + n,
            numdemrsa=f"{59_000_000_000 + n:011d}"[-11:],
            persons=persons,
            state=state,
            requested_on=requested,
            opened_on=opened,
            insee_code=insee,
            postal_code=postal,
            commune_name=name.upper()[:32],
            street_number=str(1 + n % 150),
            street_name=rng.choice(["DE LA PAIX", "NATIONALE", "JEAN JAURES", "DU MOULIN", "VICTOR HUGO"]),
        )
        if state == "3":
            dossier.suspension = ("01", opened + datetime.timedelta(days=90))
        elif state == "4":
            dossier.payment_suspension = ("06", opened + datetime.timedelta(days=60))
        elif state == "5":
            dossier.closure = ("RFD", opened + datetime.timedelta(days=200))
        yield dossier
