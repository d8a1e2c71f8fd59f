"""The typed copy of each event (`PersonEvent.kind_code`, `occurred_epoch`, `value_1`…`value_3`)
that the indicators read instead of parsing `data`: how it is derived, that its numbers stay put,
and that events written without it (a bulk writer naming only the base columns) count the same."""

import datetime

from django.db import transaction

from parcours.imports.bulk import insert_rows
from parcours.indicators import eventlog
from parcours.indicators import events as ev
from parcours.indicators.stats import compute
from parcours.people.models import PersonEvent
from tests.indicators.factories import at, entrant, event
from tests.people.factories import PersonFactory
from tests.territory.factories import SiteFactory

START, END = datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)
INSTANT = 1_546_297_200  # 2019-01-01 00:00 Paris


def test_category_values_are_numbered_in_their_vocabulary():
    assert ev.typed_values("rdv.pris", INSTANT, {"channel": "convocation", "site": "4"}) == (
        13,
        INSTANT,
        3,
        0,
        0,
    )
    decided = ev.typed_values("orientation.decidee", INSTANT, {"orientation": "sociale", "organism": "ccas"})
    assert decided[2:] == (2, 4, 0)
    # Absent, null or "" is 0; any value outside the vocabulary is OTHER_CODE.
    assert ev.typed_values("orientation.decidee", INSTANT, {"orientation": None, "organism": "mairie"})[
        2:
    ] == (
        0,
        ev.OTHER_CODE,
        0,
    )
    assert ev.typed_values("emploi.debut", INSTANT, {"contract_type": "", "placement": "p-12"})[2:] == (
        0,
        1,
        0,
    )
    assert ev.typed_values("emploi.debut", INSTANT, {"contract_type": "cdd"})[2:] == (2, 0, 0)


def test_dates_sites_and_kinds_without_values():
    contract = {"contract_kind": "cer", "starts_on": "2019-03-01", "ends_on": "2019-02-30"}
    assert ev.typed_values("contrat.signe", INSTANT, contract)[2:] == (1, 17956, ev.MISSING_DAY)
    assert ev.typed_values("contrat.signe", INSTANT, {"starts_on": "2019-03-01T10:00:00"})[3] == 17956
    assert ev.typed_values("rdv.honore", INSTANT, {"site": "24"})[2] == 24
    assert ev.typed_values("rdv.honore", INSTANT, {"site": 24})[2] == 24
    assert ev.typed_values("rdv.honore", INSTANT, {"site": "A24"})[2] == ev.OTHER_CODE
    assert ev.typed_values("rdv.honore", INSTANT, {"site": "99999999999"})[2] == ev.OTHER_CODE  # 32 bits
    assert ev.typed_values("rdv.honore", INSTANT, {})[2] == 0
    assert ev.typed_values("rsa.entree", INSTANT, {"dossier": "123"}) == (2, INSTANT, 0, 0, 0)
    # Kinds the indicators do not read, and `data` that is not an object.
    assert ev.typed_values("adresse.changee", INSTANT, {"site": 3}) == (0, INSTANT, 0, 0, 0)
    assert ev.typed_values("rdv.honore", INSTANT, ["24"]) == (14, INSTANT, 0, 0, 0)


def test_epoch_seconds_round_down_and_read_naive_times_in_paris():
    moment = datetime.datetime(2019, 1, 1, 0, 0, 0, 900_000, tzinfo=datetime.UTC)
    assert ev.epoch_seconds(moment) == 1_546_300_800
    assert ev.epoch_seconds(datetime.datetime(2019, 1, 1)) == INSTANT


def test_stored_numbers_do_not_move():
    """The numbers are stored in every event: kinds and values are only ever added at the end."""
    first_kinds = [
        "rsa.demande", "rsa.entree", "rsa.refus", "rsa.droits_devoirs", "rsa.fin_droits_devoirs",
        "rsa.suspension", "rsa.reprise", "rsa.cloture", "rsa.arrivee_departement", "rsa.depart_departement",
        "invitation.envoyee", "convocation.envoyee", "rdv.pris", "rdv.honore", "rdv.absent", "rdv.excuse",
        "rdv.annule", "orientation.decidee", "referent.designe", "contrat.signe", "accompagnement.debut",
        "accompagnement.fin", "emploi.debut", "formation.debut", "sortie",
    ]  # fmt: skip
    assert list(ev.KIND_CODES.items())[: len(first_kinds)] == [(k, n) for n, k in enumerate(first_kinds, 1)]
    first_values = {
        "channel": ("public", "agent", "convocation"),
        "orientation": ("professionnelle", "sociale", "socio_professionnelle"),
        "organism": ("france_travail", "mdie_coaching", "service_social", "ccas", "association"),
        "contract_kind": ("cer", "ppae", "contrat_engagement"),
        "contract_type": ("cdi", "cdd", "interim", "iae", "alternance", "creation", "autre"),
    }
    assert {key: ev.VOCABULARIES[key][: len(words)] for key, words in first_values.items()} == first_values


def _history(two_units) -> str:
    """Two entrants with every kind of value the indicators read, odd values included."""
    first, second = (PersonFactory(commune=two_units["commune_a"]) for _ in range(2))
    honoured_at = SiteFactory(commune=two_units["commune_a"])
    site = str(honoured_at.pk)
    entrant(first, "2019-02-01", requested="2019-01-20")
    event(first, "rdv.pris", "2019-02-03", channel="public", site=site)
    event(first, "rdv.honore", "2019-02-11", site=site)
    event(
        first, "orientation.decidee", "2019-02-11", orientation="professionnelle", organism="france_travail"
    )
    event(
        first,
        "contrat.signe",
        "2019-03-01",
        contract_kind="ppae",
        starts_on="2019-03-01",
        ends_on="2020-02-29",
    )
    event(first, "accompagnement.debut", "2019-04-01")
    event(first, "emploi.debut", "2019-05-02", contract_type="cdi", placement="p-1")
    entrant(second, "2019-06-30")
    event(second, "rdv.pris", "2019-07-01", channel="convocation")
    event(second, "rdv.honore", "2019-07-09", time="23:59", site="inconnu")
    event(second, "orientation.decidee", "2019-07-10", orientation="autre_chose", organism="mairie")
    event(
        second, "contrat.signe", "2019-07-12", contract_kind="cer", starts_on="2019-07-12", ends_on="bientôt"
    )
    return honoured_at.code


def _without_typed_values(events: list[tuple]) -> None:
    """Write events as a bulk writer naming only the base columns does (typed ones defaulted)."""
    columns = ["person_id", "kind", "occurred_at", "recorded_at", "source", "data"]
    with transaction.atomic():
        insert_rows(PersonEvent, columns, events, returning=False)


def test_events_without_typed_values_count_the_same(two_units):
    site_code = _history(two_units)
    expected = compute(START, END, deadline_days=30, log=eventlog.load(cached=False))
    assert expected["entrants"]["count"] == 2
    assert expected["orientations"]["by_organism"]["autre"] == 1
    # An unknown organism counts as another one; a site id that is not a number as no site; an
    # invalid end date as a contract never valid.
    assert expected["drees"]["table_2"]["by_category"]["inconnu"] == 1
    assert [row["key"] for row in expected["breakdowns"]["site"]] == ["", site_code]
    assert expected["contract"]["with_valid_contract"] == 1
    assert expected["placements"]["through_platform"] == 1
    rows = list(
        PersonEvent.objects.order_by("id").values_list(
            "person_id", "kind", "occurred_at", "recorded_at", "source", "data"
        )
    )
    PersonEvent.objects.all().delete()
    _without_typed_values(rows)
    assert set(PersonEvent.objects.values_list("kind_code", flat=True)) == {-1}
    assert compute(START, END, deadline_days=30, log=eventlog.load(cached=False)) == expected


def test_events_without_typed_values_are_read_when_added(two_units):
    person = PersonFactory(commune=two_units["commune_a"])
    entrant(person, "2019-02-01")
    assert compute(START, END, deadline_days=30)["delay_first_interview"]["count"] == 0
    now = at("2019-03-01")
    _without_typed_values([(person.pk, "rdv.honore", at("2019-02-08"), now, "cnaf", {"site": "1"})])
    event(person, "rdv.honore", "2019-02-05", site=1)  # typed, added after the untyped one
    result = compute(START, END, deadline_days=30)
    assert result["delay_first_interview"]["mean_days"] == 4.0
    fresh = eventlog.load(cached=False)
    assert eventlog.load().day.tolist() == fresh.day.tolist()
    assert eventlog.load().kind.tolist() == fresh.kind.tolist()
