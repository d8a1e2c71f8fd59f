import datetime
import io

import pytest
import xmlschema

from parcours.rsa import cnaf
from parcours.rsa.synthetic import random_dossiers, write_flux
from tests.rsa.factories import dossier, person


def read(path, departement="59"):
    spool = cnaf.open_spool()
    header = cnaf.read_flux(path, departement=departement, spool=spool)
    return header, list(cnaf.iter_spool(spool))


def rejected(path, departement="59") -> cnaf.FluxRejected:
    with pytest.raises(cnaf.FluxRejected) as info:
        read(path, departement)
    return info.value


def test_synthetic_flux_is_valid_against_the_official_xsd(tmp_path):
    path = tmp_path / "flux.xml"
    dossiers = list(random_dossiers(40, seed=3))
    dossiers.append(
        dossier(
            99,
            arrived_on=datetime.date(2024, 2, 1),
            left_on=datetime.date(2024, 5, 1),
            suspension=("01", datetime.date(2024, 3, 1)),
            payment_suspension=("06", datetime.date(2024, 3, 2)),
            closure=("RFD", datetime.date(2024, 5, 31)),
            refusal=("R01", datetime.date(2024, 1, 20)),
            moved_in_on=datetime.date(2024, 4, 1),
            persons=[person(1, france_travail_id="1234567A", first_name2="Claire")],
        )
    )
    write_flux(path, dossiers)
    xmlschema.XMLSchema(str(cnaf.XSD_PATH)).validate(str(path))


def test_read_flux_maps_the_dossier(tmp_path):
    path = tmp_path / "flux.xml"
    d = dossier(
        1,
        state="3",
        suspension=("05", datetime.date(2024, 4, 1)),
        moved_in_on=datetime.date(2023, 12, 1),
        persons=[
            person(2, role="DEM", france_travail_id="0012345X"),
            person(3, role="CJT", subject_to_duties=False),
        ],
    )
    write_flux(path, [d], reference_date=datetime.date(2024, 5, 31), flux_type="I")
    header, dossiers = read(path)
    assert header.flux_type == "I"
    assert header.reference_date == datetime.date(2024, 5, 31)
    assert header.count == 1
    got = dossiers[0]
    assert got["matricule"] == "7000001"
    assert got["organism"] == "CAF"
    assert got["request_number"] == d.numdemrsa
    assert got["state"] == "3"
    assert got["suspended_on"] == "2024-04-01"
    assert got["suspension_reason"] == "05"
    assert got["suspension_kind"] == "droit"
    assert got["opened_on"] == "2024-01-01"
    assert got["address"]["insee_code"] == "59350"
    assert got["address"]["moved_in_on"] == "2023-12-01"
    assert [p["role"] for p in got["persons"]] == ["DEM", "CJT"]
    assert [p["duties"] for p in got["persons"]] == [True, False]
    assert got["persons"][0]["france_travail_id"] == "0012345X"
    assert got["persons"][0]["nir"] == d.persons[0].nir
    assert got["amount_paid"] == "607.75"


@pytest.mark.parametrize("encoding", ["windows-1252", "iso-8859-15", "utf-8"])
def test_declared_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "flux.xml"
    write_flux(
        path,
        [dossier(1, persons=[person(1, last_name="Lefèvre", first_name="Anaïs Œnone")])],
        encoding=encoding,
    )
    _, dossiers = read(path)
    assert dossiers[0]["persons"][0]["last_name"] == "Lefèvre"
    assert dossiers[0]["persons"][0]["first_names"] == "Anaïs Œnone"


def _flux_bytes(*dossiers, **options) -> bytes:
    buffer = io.BytesIO()
    write_flux(buffer, list(dossiers) or [dossier(1)], **options)
    return buffer.getvalue()


def test_empty_file_is_rejected(tmp_path):
    path = tmp_path / "vide.xml"
    path.write_bytes(b"")
    assert "vide" in rejected(path).message


def test_not_xml_is_rejected(tmp_path):
    path = tmp_path / "texte.xml"
    path.write_bytes(b"NUMDEMRSA;MATRICULE\n1;2\n")
    error = rejected(path)
    assert "XML" in error.message
    assert error.line == 1


def test_truncated_file_is_rejected_with_its_line(tmp_path):
    data = _flux_bytes(dossier(1), dossier(2), dossier(3))
    path = tmp_path / "tronque.xml"
    path.write_bytes(data[: len(data) * 2 // 3])
    error = rejected(path)
    assert "tronqué" in error.message
    assert "élément « InfosFoyerRSA »" in error.message
    assert error.line == 5


def test_wrong_root_is_rejected(tmp_path):
    path = tmp_path / "racine.xml"
    path.write_bytes(_flux_bytes().replace(b"<Racine>", b"<Flux>").replace(b"</Racine>", b"</Flux>"))
    error = rejected(path)
    assert "Racine" in error.message


def test_a_lone_dossier_as_root_is_rejected(tmp_path):
    data = _flux_bytes()
    start, end = data.index(b"<InfosFoyerRSA>"), data.index(b"</InfosFoyerRSA>") + len(b"</InfosFoyerRSA>")
    path = tmp_path / "dossier.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="windows-1252"?>\n' + data[start:end])
    assert "Racine" in rejected(path).message


def test_xsd_violation_names_the_line_and_element(tmp_path):
    data = _flux_bytes(dossier(1), dossier(2), dossier(3))
    # The third dossier's birth date becomes invalid.
    head, sep, tail = data.rpartition(b"<DTNAI>")
    path = tmp_path / "xsd.xml"
    path.write_bytes(head + sep + b"31/02/" + tail)
    error = rejected(path)
    expected_line = data.count(b"\n", 0, len(head)) + 1
    assert error.line == expected_line
    assert "DTNAI" in error.message
    assert f"ligne {expected_line}" in error.message.lower()
    assert "vrsb0801" in error.message


def test_value_too_long_is_an_xsd_violation(tmp_path):
    path = tmp_path / "long.xml"
    write_flux(path, [dossier(1, persons=[person(1, last_name="X" * 40)])])
    error = rejected(path)
    assert "NOM" in error.message
    assert error.line == 4  # line 1: declaration, 2: <Racine>, 3: IdentificationFlux, 4: the dossier


def test_undeclared_single_byte_encoding_is_rejected(tmp_path):
    path = tmp_path / "sans-declaration.xml"
    write_flux(path, [dossier(1, persons=[person(1, last_name="Lefèvre")])], declare_encoding=False)
    error = rejected(path)
    assert "ncodage" in error.message
    assert error.line == 4


def test_utf8_content_declared_windows_1252_is_rejected(tmp_path):
    data = _flux_bytes(dossier(1, persons=[person(1, last_name="Lefevre")]))
    path = tmp_path / "mojibake.xml"
    path.write_bytes(data.replace(b"Lefevre", "Lefèvre".encode()))
    error = rejected(path)
    assert "UTF-8" in error.message
    assert error.line == 4


def test_unknown_declared_encoding_is_rejected(tmp_path):
    path = tmp_path / "ebcdic.xml"
    path.write_bytes(_flux_bytes().replace(b"windows-1252", b"x-mystery", 1))
    assert "x-mystery" in rejected(path).message


def test_flux_of_another_departement_is_rejected(tmp_path):
    path = tmp_path / "autre.xml"
    write_flux(path, [dossier(1), dossier(2, departement="062")])
    error = rejected(path)
    assert "IDEPARTE" in error.message
    assert "062" in error.message
    assert error.line == 5


def test_departement_codes_are_compared_without_leading_zero():
    assert cnaf.normalize_departement("059") == "59"
    assert cnaf.normalize_departement("59") == "59"
    assert cnaf.normalize_departement("971") == "971"
    assert cnaf.normalize_departement("02A") == "2A"


def test_nir_with_a_wrong_key_is_flagged_not_rejected(tmp_path):
    good = person(1)
    bad = person(2, nir=good.nir[:13] + f"{(int(good.nir[13:]) + 1) % 97:02d}")
    path = tmp_path / "nir.xml"
    write_flux(path, [dossier(1, persons=[good]), dossier(2, persons=[bad])])
    _, dossiers = read(path)
    assert dossiers[0]["persons"][0]["nir_problem"] == ""
    assert dossiers[1]["persons"][0]["nir_problem"] == "clé du NIR incorrecte"
