import datetime

import pytest
from django.utils import timezone

from parcours.imports.models import BatchStatus, DuplicateCandidate, ImportBatch, ImportRecord
from parcours.imports.runner import run_import
from parcours.people.models import Household, HouseholdMember, Person, PersonEvent
from parcours.people.nir import nir_digest
from parcours.rsa.importer import CnafFluxSource
from parcours.rsa.models import RsaRight
from parcours.rsa.rights import current_right, subject_to_duties
from tests.people.factories import PersonFactory
from tests.rsa.factories import dossier, person

pytestmark = pytest.mark.django_db


def import_flux(path, **options):
    return run_import(CnafFluxSource(path), path, **options)


def events_of(p) -> list[tuple[str, datetime.date]]:
    return sorted(
        (e.kind, timezone.localtime(e.occurred_at).date()) for e in PersonEvent.objects.filter(person=p)
    )


def state_snapshot() -> dict:
    return {
        "persons": sorted(
            Person.objects.values_list("nir", "last_name", "first_names", "commune_id", "address")
        ),
        "households": sorted(Household.objects.values_list("organism", "caf_number")),
        "members": sorted(
            HouseholdMember.objects.values_list("household__caf_number", "person__nir", "role")
        ),
        "rights": sorted(
            RsaRight.objects.values_list("household__caf_number", "state", "opened_on", "suspended_on")
        ),
        "events": sorted(PersonEvent.objects.values_list("person__nir", "kind", "occurred_at")),
    }


def test_first_import_creates_households_persons_rights_and_dated_entries(write, lille):
    couple = dossier(
        1,
        persons=[person(1, role="DEM"), person(2, role="CJT", subject_to_duties=False)],
        opened_on=datetime.date(2024, 2, 1),
        requested_on=datetime.date(2024, 2, 12),
    )
    path = write(
        "flux.xml", [couple, dossier(2, persons=[person(9)])], reference_date=datetime.date(2024, 3, 31)
    )
    report = import_flux(path)
    assert report.exit_code == 0
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "quarantined": 0}
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.status == BatchStatus.DONE
    assert batch.reference_date == datetime.date(2024, 3, 31)
    assert batch.flux_type == "M"
    household = Household.objects.get(caf_number="7000001")
    right = household.rsa_right
    assert right.state == "2"
    assert right.opened_on == datetime.date(2024, 2, 1)
    assert right.requested_on == datetime.date(2024, 2, 12)
    demandeur = Person.objects.with_nir(couple.persons[0].nir).get()
    conjoint = Person.objects.with_nir(couple.persons[1].nir).get()
    assert demandeur.commune == lille
    assert demandeur.caf_number == "7000001"
    assert demandeur.search_names
    assert set(household.memberships.values_list("person_id", "role")) == {
        (demandeur.pk, "demandeur"),
        (conjoint.pk, "conjoint"),
    }
    # Dated with the rights-opening date of the flux, not the import date.
    assert events_of(demandeur) == [
        ("rsa.droits_devoirs", datetime.date(2024, 2, 1)),
        ("rsa.entree", datetime.date(2024, 2, 1)),
    ]
    assert events_of(conjoint) == [("rsa.entree", datetime.date(2024, 2, 1))]
    assert current_right(demandeur) == right
    assert subject_to_duties(demandeur) is True
    assert subject_to_duties(conjoint) is False
    assert ImportRecord.objects.filter(batch=batch, status="created").count() == 2


def test_reimporting_the_same_file_changes_nothing(write, lille):
    path = write("flux.xml", [dossier(1), dossier(2)])
    import_flux(path)
    before = state_snapshot()
    report = import_flux(path)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 2, "quarantined": 0}
    assert "déjà été importé" in report.message
    assert state_snapshot() == before


def test_same_content_in_another_file_is_unchanged_record_by_record(write, lille):
    import_flux(write("a.xml", [dossier(1), dossier(2)], reference_date=datetime.date(2024, 6, 30)))
    before = state_snapshot()
    report = import_flux(write("b.xml", [dossier(1), dossier(2)], reference_date=datetime.date(2024, 7, 31)))
    assert report.counts["unchanged"] == 2
    assert [r["status"] for r in report.records] == ["unchanged", "unchanged"]
    assert state_snapshot() == before


def test_bad_nir_key_and_unknown_commune_are_quarantined_the_rest_imported(write, lille):
    good = person(1)
    bad_key = person(2, nir=person(2).nir[:13] + "00")
    path = write(
        "flux.xml",
        [dossier(1, persons=[good]), dossier(2, persons=[bad_key]), dossier(3, insee_code="59999")],
    )
    report = import_flux(path)
    assert report.exit_code == 0
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "quarantined": 2}
    reasons = {r["key"]: r["reason"] for r in report.records if r["status"] == "quarantined"}
    assert "clé du NIR incorrecte" in reasons["CAF/591/7000002"]
    assert "59999" in reasons["CAF/591/7000003"] and "Commune inconnue" in reasons["CAF/591/7000003"]
    assert Household.objects.count() == 1
    record = ImportRecord.objects.get(key="CAF/591/7000003")
    assert record.raw["request_number"] == "59100000003"


def test_address_in_another_departement_is_imported_and_flagged(write, lille):
    """A person who is moving: Arras (62041) exists in the national reference, not in the
    communes loaded for the département; only a code that exists nowhere is quarantined."""
    path = write(
        "flux.xml",
        [
            dossier(1),
            dossier(2, insee_code="62041", postal_code="62000"),
            dossier(3, insee_code="59999"),
        ],
    )
    report = import_flux(path)
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "quarantined": 1}
    moving = Person.objects.with_nir(person(2).nir).get()
    assert moving.address_outside_departement
    assert (moving.address_insee_code, moving.postal_code, moving.commune) == ("62041", "62000", None)
    assert moving.address == "12 RUE DES TESTS"
    staying = Person.objects.with_nir(person(1).nir).get()
    assert not staying.address_outside_departement and staying.commune == lille
    reasons = [r["reason"] for r in report.records if r["status"] == "quarantined"]
    assert len(reasons) == 1 and "Commune inconnue" in reasons[0] and "59999" in reasons[0]


def test_a_known_person_moving_out_keeps_their_commune_and_is_flagged(write, lille):
    import_flux(write("juin.xml", [dossier(1)], reference_date=datetime.date(2024, 6, 30)))
    moved = [dossier(1, insee_code="62041", postal_code="62000", street_name="DES REMPARTS")]
    import_flux(write("juillet.xml", moved, reference_date=datetime.date(2024, 7, 31)))
    mover = Person.objects.with_nir(person(1).nir).get()
    assert mover.address_outside_departement and mover.address_insee_code == "62041"
    assert mover.address == "12 RUE DES REMPARTS" and mover.commune == lille
    back = [dossier(1, street_name="DU RETOUR")]
    import_flux(write("aout.xml", back, reference_date=datetime.date(2024, 8, 31)))
    mover.refresh_from_db()
    assert not mover.address_outside_departement and mover.address_insee_code == "59350"


def test_dry_run_changes_nothing(write, lille):
    path = write("flux.xml", [dossier(1), dossier(2, insee_code="59999")])
    report = import_flux(path, dry_run=True)
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "quarantined": 1}
    assert report.batch_id is None
    assert not ImportBatch.objects.exists()
    assert not Person.objects.exists()
    assert not PersonEvent.objects.exists()


def test_rejected_file_changes_nothing(write, lille):
    path = write("flux.xml", [dossier(1), dossier(2, departement="062")])
    report = import_flux(path)
    assert report.exit_code == 2
    assert "IDEPARTE" in report.message
    assert not Person.objects.exists()
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED


def test_a_flux_rejected_at_its_last_dossier_changes_nothing(write, lille, monkeypatch):
    # The file is read in a second process while the first dossiers are applied: whatever the
    # interleaving, a rejection found at the end must leave nothing behind.
    monkeypatch.setenv("PARCOURS_IMPORT_CHUNK_SIZE", "10")
    path = write("flux.xml", [*(dossier(n) for n in range(1, 301)), dossier(301, departement="062")])
    report = import_flux(path)
    assert report.exit_code == 2
    assert "IDEPARTE" in report.message
    assert not Person.objects.exists()
    assert not PersonEvent.objects.exists()
    assert not ImportRecord.objects.exists()
    assert ImportBatch.objects.get().status == BatchStatus.REJECTED


def test_rights_history_across_two_successive_flux(write, lille, roubaix):
    dem = person(1, role="DEM")
    cjt = person(2, role="CJT", subject_to_duties=False)
    june = [
        dossier(1, persons=[dem, cjt]),  # will be suspended
        dossier(2, persons=[person(3)], state="3", suspension=("05", datetime.date(2024, 5, 10))),  # resumes
        dossier(3, persons=[person(4)]),  # will close
        dossier(4, persons=[person(5)]),  # leaves for another département
        dossier(5, persons=[person(6)]),  # moves to Roubaix
    ]
    import_flux(write("juin.xml", june, reference_date=datetime.date(2024, 6, 30)))
    cjt_now_subject = person(2, role="CJT", subject_to_duties=True)
    july = [
        dossier(1, persons=[dem, cjt_now_subject], state="3", suspension=("01", datetime.date(2024, 7, 5))),
        dossier(2, persons=[person(3)], state="2"),
        dossier(3, persons=[person(4)], state="5", closure=("RFD", datetime.date(2024, 7, 20))),
        dossier(4, persons=[person(5)], left_on=datetime.date(2024, 7, 15)),
        dossier(
            5,
            persons=[person(6)],
            insee_code="59512",
            postal_code="59100",
            street_name="DU MOULIN",
            moved_in_on=datetime.date(2024, 7, 3),
        ),
    ]
    report = import_flux(write("juillet.xml", july, reference_date=datetime.date(2024, 7, 31)))
    assert report.counts == {"created": 0, "updated": 5, "unchanged": 0, "quarantined": 0}

    def p(synthetic):
        return Person.objects.with_nir(synthetic.nir).get()

    assert ("rsa.suspension", datetime.date(2024, 7, 5)) in events_of(p(dem))
    assert ("rsa.droits_devoirs", datetime.date(2024, 7, 31)) in events_of(p(cjt))
    assert ("rsa.reprise", datetime.date(2024, 7, 31)) in events_of(p(person(3)))
    assert ("rsa.suspension", datetime.date(2024, 5, 10)) in events_of(p(person(3)))
    assert ("rsa.cloture", datetime.date(2024, 7, 20)) in events_of(p(person(4)))
    assert ("rsa.depart_departement", datetime.date(2024, 7, 15)) in events_of(p(person(5)))
    mover = p(person(6))
    assert ("adresse.changement", datetime.date(2024, 7, 3)) in events_of(mover)
    assert mover.commune == roubaix
    assert mover.address == "12 RUE DU MOULIN"
    # Opening dates are never moved by later flux; entries are not repeated.
    assert [k for k, _ in events_of(p(dem))].count("rsa.entree") == 1
    right = RsaRight.objects.get(household__caf_number="7000003")
    assert right.state == "5"
    assert right.closure_reason_label == "Radiation fin de droit"
    # Importing July again: nothing new.
    count = PersonEvent.objects.count()
    report = import_flux(write("juillet-bis.xml", july, reference_date=datetime.date(2024, 7, 31)))
    assert report.counts["unchanged"] == 5
    assert PersonEvent.objects.count() == count


def test_arrival_from_another_departement_is_dated(write, lille):
    arriving = dossier(1, arrived_on=datetime.date(2024, 4, 2))
    import_flux(write("flux.xml", [arriving]))
    somebody = Person.objects.get()
    assert ("rsa.arrivee_departement", datetime.date(2024, 4, 2)) in events_of(somebody)


def test_an_older_flux_does_not_overwrite_a_newer_state(write, lille):
    import_flux(write("juillet.xml", [dossier(1, state="5", closure=("RFD", datetime.date(2024, 7, 20)))],
                      reference_date=datetime.date(2024, 7, 31)))  # fmt: skip
    report = import_flux(write("juin.xml", [dossier(1)], reference_date=datetime.date(2024, 6, 30)))
    assert report.counts["unchanged"] == 1
    assert "plus ancien" in report.records[0]["reason"]
    assert RsaRight.objects.get().state == "5"


def test_household_composition_change(write, lille):
    dem = person(1, role="DEM")
    import_flux(write("a.xml", [dossier(1, persons=[dem])], reference_date=datetime.date(2024, 6, 30)))
    partner = person(2, role="CJT", attached_on=datetime.date(2024, 7, 10))
    import_flux(
        write("b.xml", [dossier(1, persons=[dem, partner])], reference_date=datetime.date(2024, 7, 31))
    )
    newcomer = Person.objects.with_nir(partner.nir).get()
    assert ("foyer.changement", datetime.date(2024, 7, 10)) in events_of(newcomer)
    assert Household.objects.get().memberships.count() == 2
    import_flux(write("c.xml", [dossier(1, persons=[dem])], reference_date=datetime.date(2024, 8, 31)))
    assert ("foyer.changement", datetime.date(2024, 8, 31)) in events_of(newcomer)
    assert Household.objects.get().memberships.count() == 1


def test_existing_person_with_the_same_nir_is_updated_not_duplicated(write, lille):
    known = PersonFactory(
        nir=person(1).nir[:13], last_name="Ancien", birth_date=person(1).birth_date, commune=None
    )
    report = import_flux(write("flux.xml", [dossier(1, persons=[person(1)])]))
    assert report.counts["created"] == 1  # the dossier is new; the person is matched
    assert Person.objects.count() == 1
    known.refresh_from_db()
    assert known.last_name == person(1).last_name
    assert known.nir == person(1).nir  # completed with its key
    assert known.commune == lille


def test_same_names_and_birth_date_without_nir_goes_to_the_duplicates_queue(write, lille):
    incoming = person(1, last_name="Lefèvre", first_name="Anne Marie")
    known = PersonFactory(
        nir="", last_name="LEFEVRE", first_names="Marie-Anne", birth_date=incoming.birth_date, commune=lille
    )
    import_flux(write("flux.xml", [dossier(1, persons=[incoming])]))
    assert Person.objects.count() == 2
    candidate = DuplicateCandidate.objects.get()
    assert candidate.person == known
    assert candidate.duplicate_id == Person.objects.with_nir(incoming.nir).get().pk
    assert candidate.status == "pending"


def test_same_person_in_two_dossiers_of_one_chunk_is_created_once(write, lille):
    shared = person(1)
    import_flux(write("flux.xml", [dossier(1, persons=[shared]), dossier(2, persons=[shared])]))
    assert Person.objects.with_nir(shared.nir).count() == 1
    assert HouseholdMember.objects.filter(person__nir_digest=nir_digest(shared.nir)).count() == 2


def test_imported_events_carry_their_typed_copy(write, lille):
    from parcours.indicators import events
    from parcours.rsa.importer import EVENT_KINDS

    # The importer derives the typed copy from kind and instant only: none of its kinds has data
    # values that the indicators read.
    assert not set(EVENT_KINDS) & set(events.FACT_KEYS)
    suspended = dossier(2, state="3", suspension=("01", datetime.date(2024, 5, 2)))
    import_flux(write("flux.xml", [dossier(1), suspended]))
    rows = PersonEvent.objects.values_list("kind", "occurred_at", "data", *PersonEvent.TYPED_COLUMNS)
    assert len(rows) >= 4
    for kind, occurred_at, data, *typed in rows:
        assert tuple(typed) == PersonEvent.typed_values(kind, occurred_at, data)
        assert typed[0] > 0 or kind not in events.KIND_CODES


def test_every_person_created_or_changed_by_a_flux_is_audited(write, lille):
    from parcours.core.models import AuditAction, AuditEvent

    first = write("a.xml", [dossier(1), dossier(2)])
    import_flux(first)
    created = set(Person.objects.values_list("pk", flat=True))
    assert len(created) == 2
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, person__isnull=False)
    assert set(events.values_list("person_id", flat=True)) == created
    assert all(e.channel == "cli" and "import_batch" in e.detail for e in events)

    moved = write("b.xml", [dossier(1, persons=[person(1, last_name="Durand")]), dossier(2)])
    import_flux(moved)
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, person__isnull=False)
    assert update.person_id == Person.objects.get(last_name="Durand").pk
    assert "last_name" in update.detail["fields"]
