"""Indicators over small hand-built histories, one edge case per test."""

import datetime

import pytest

from parcours.indicators.stats import compute
from tests.indicators.factories import entrant, event
from tests.people.factories import PersonFactory

Y2019 = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))


def stats(start=Y2019[0], end=Y2019[1], **kwargs):
    return compute(start, end, deadline_days=kwargs.pop("deadline_days", 21), **kwargs)


@pytest.fixture
def person(two_units):
    return PersonFactory(commune=two_units["commune_a"])


def received(
    person, opened: str, interview: str, *, orientation="professionnelle", organism="france_travail"
):
    entrant(person, opened)
    event(person, "invitation.envoyee", opened, "10:00")
    event(person, "rdv.pris", opened, "11:00", channel="public", site=1)
    event(person, "rdv.honore", interview, "14:00", site=1)
    event(person, "orientation.decidee", interview, "15:00", orientation=orientation, organism=organism)


def test_entrant_received_delays_and_shares(two_units):
    first, second, third = (PersonFactory(commune=two_units["commune_a"]) for _ in range(3))
    received(first, "2019-03-01", "2019-03-11")  # 10 days
    received(second, "2019-04-01", "2019-04-26")  # 25 days: within 30, beyond the 21-day deadline
    entrant(third, "2019-05-01")  # never received
    result = stats()
    assert result["entrants"] == {
        "count": 3,
        "received": 2,
        "share_received": 0.6667,
        "reentries": 0,
        "missing_opening_date": 0,
        "missing_request_date": 3,
    }
    delay = result["delay_first_interview"]
    assert (delay["population"], delay["count"], delay["mean_days"], delay["median_days"]) == (
        3,
        2,
        17.5,
        17.5,
    )
    assert delay["p90_days"] == 23.5  # linear interpolation between 10 and 25
    assert (delay["within_30_days"], delay["share_within_30_days"]) == (2, 0.6667)
    assert (delay["within_deadline"], delay["share_within_deadline"]) == (1, 0.3333)
    assert result["delay_orientation"]["mean_days"] == 17.5
    assert result["orientations"]["by_type"]["professionnelle"] == 2
    assert result["orientations"]["france_travail"] == 2


def test_person_who_leaves_and_reenters(person):
    received(person, "2018-06-01", "2018-06-15")
    event(person, "rsa.cloture", "2019-02-01")
    event(person, "rsa.entree", "2019-05-01", reouverture=True)
    event(person, "rdv.honore", "2019-05-21", site=1)
    result = stats()
    assert result["entrants"]["count"] == 1
    assert result["entrants"]["reentries"] == 1
    # The 2018 interview belongs to the first spell: the delay runs from the reopening.
    assert result["delay_first_interview"]["mean_days"] == 20.0
    # The 2018 orientation ended with the closure: no orientation in the new spell.
    assert result["delay_orientation"]["count"] == 0
    assert result["drees"]["table_2"]["oriented"] == 0
    assert result["drees"]["table_1"]["population"] == 1


def test_suspended_right_on_31_december(two_units):
    suspended, resumed = (PersonFactory(commune=two_units["commune_a"]) for _ in range(2))
    for person in (suspended, resumed):
        entrant(person, "2018-01-10")
        event(person, "rsa.suspension", "2019-11-01", motif="05")
    event(resumed, "rsa.reprise", "2019-12-31")
    table_1 = stats()["drees"]["table_1"]
    assert table_1["population"] == 1
    assert table_1["excluded_suspended"] == 1
    # The suspended person is still soumis à droits et devoirs for the follow-up indicators.
    assert stats()["referent"]["population"] == 2


def test_person_who_moves_out(person):
    received(person, "2019-02-01", "2019-02-10")
    event(person, "rsa.depart_departement", "2019-10-15")
    result = stats()
    assert result["entrants"]["count"] == 1
    assert result["drees"]["table_1"]["population"] == 0
    assert result["drees"]["table_3"]["left_before_reference_date"] == 1
    # Still in the population on a day before the move.
    assert stats(end=datetime.date(2019, 10, 14))["drees"]["table_1"]["population"] == 1


def test_several_orientations_in_a_year(person):
    received(person, "2019-01-07", "2019-01-20")
    event(person, "orientation.decidee", "2019-06-01", orientation="sociale", organism="ccas")
    event(
        person, "orientation.decidee", "2019-09-01", orientation="professionnelle", organism="mdie_coaching"
    )
    result = stats()
    assert result["orientations"]["decisions"] == 3
    assert result["drees"]["table_6"] == {
        "reorientations": 2,
        "persons": 1,
        "professional_to_social": 1,
        "social_to_professional": 1,
        "same_type_other_organism": 0,
    }
    table_2 = result["drees"]["table_2"]
    assert table_2["professionnelle"]["departement"] == 1  # the one valid on 31/12: MDIE
    assert table_2["by_category"]["ccas_cias"] == 0
    # The first orientation delay counts the first decision only.
    assert result["drees"]["table_4"]["oriented"] == 1


def test_orientation_before_rights_opening(person):
    event(person, "rsa.demande", "2019-01-05")
    event(person, "orientation.decidee", "2019-01-20", orientation="sociale", organism="service_social")
    entrant(person, "2019-02-01")
    result = stats()
    assert result["delay_orientation"]["count"] == 1
    assert result["delay_orientation"]["mean_days"] == 0.0  # negative delays count as 0
    assert result["drees"]["table_4"]["mean_days"] == 15.0  # from the request date
    assert result["drees"]["table_4"]["moins_1_mois"] == 1
    assert result["drees"]["table_2"]["sociale"]["departement"] == 1


def test_missing_dates(two_units):
    no_request, bad_contract = (PersonFactory(commune=two_units["commune_a"]) for _ in range(2))
    entrant(no_request, "2019-03-01")
    event(no_request, "orientation.decidee", "2019-03-11", orientation="sociale", organism="ccas")
    entrant(bad_contract, "2019-03-01", requested="2019-02-01")
    event(
        bad_contract, "contrat.signe", "2019-04-01", contract_kind="cer", starts_on="2019-04-01", ends_on=""
    )
    result = stats()
    table_4 = result["drees"]["table_4"]
    assert table_4["request_date_missing"] == 1
    assert table_4["mean_days"] == 10.0  # the opening date stands in for the missing request date
    assert result["contract"]["with_valid_contract"] == 0  # no end date: never valid
    assert result["contract"]["delay_first_contract"]["count"] == 1


def test_leap_years(person):
    entrant(person, "2020-02-27")
    event(person, "rdv.honore", "2020-03-01", site=1)
    event(
        person,
        "contrat.signe",
        "2020-02-29",
        contract_kind="cer",
        starts_on="2020-02-29",
        ends_on="2021-02-28",
    )
    result = stats(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31))
    assert result["delay_first_interview"]["mean_days"] == 3.0  # 27 Feb → 1 Mar crosses 29 Feb
    table_5 = result["drees"]["table_5"]
    assert table_5["with_valid_contract"] == 1
    assert table_5["12_mois_et_plus"] == 1  # 29/02/2020 – 28/02/2021 is a full year


def test_period_boundary_at_midnight_paris(two_units):
    late, early = (PersonFactory(commune=two_units["commune_a"]) for _ in range(2))
    entrant(late, "2019-12-31")
    event(late, "rdv.honore", "2019-12-31", "23:59")
    # Midnight in Paris is still 31 December in UTC.
    event(early, "rsa.entree", "2020-01-01", "00:00")
    event(early, "rsa.droits_devoirs", "2020-01-01", "00:00")
    assert stats()["entrants"]["count"] == 1
    assert stats()["delay_first_interview"]["mean_days"] == 0.0
    assert stats(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))["entrants"]["count"] == 1


def test_invitations_and_no_shows(two_units):
    invited, convoked = (PersonFactory(commune=two_units["commune_a"]) for _ in range(2))
    entrant(invited, "2019-03-01")
    event(invited, "invitation.envoyee", "2019-03-02")
    event(invited, "rdv.pris", "2019-03-06", channel="public", site=1)
    event(invited, "rdv.absent", "2019-03-12", site=1)
    entrant(convoked, "2019-03-01")
    event(convoked, "invitation.envoyee", "2019-03-02")
    event(convoked, "convocation.envoyee", "2019-03-12")
    event(convoked, "rdv.pris", "2019-03-12", channel="convocation", site=1)
    event(convoked, "rdv.honore", "2019-03-20", site=1)
    result = stats()
    assert result["invitation_to_booking"] == {
        "invitations": 2,
        "booked": 1,  # a convocation is not an answer to the invitation
        "share_booked": 0.5,
        "mean_days": 4.0,
        "median_days": 4.0,
        "p90_days": 4.0,
    }
    no_show = result["no_show"]
    assert no_show["after_invitation"]["no_show_rate"] == 1.0
    assert no_show["after_convocation"] == {
        "appointments": 1,
        "honoured": 1,
        "absent": 0,
        "excused": 0,
        "no_show_rate": 0.0,
    }


def test_referent_and_valid_contract(person):
    received(person, "2019-01-10", "2019-01-20")
    event(person, "referent.designe", "2019-01-25")
    event(
        person,
        "contrat.signe",
        "2019-02-01",
        contract_kind="ppae",
        starts_on="2019-02-01",
        ends_on="2019-07-31",
    )
    result = stats()
    assert result["referent"] == {"population": 1, "with_referent": 1, "share": 1.0}
    assert result["contract"]["with_valid_contract"] == 0  # expired on 31/07
    assert result["contract"]["delay_first_contract"]["mean_days"] == 22.0
    assert stats(end=datetime.date(2019, 7, 31))["drees"]["table_5"]["moins_6_mois"] == 0
    assert stats(end=datetime.date(2019, 7, 31))["drees"]["table_5"]["6_a_12_mois"] == 1


def test_coaching_outcomes_within_three_calendar_months(two_units):
    on_time, too_late, training = (PersonFactory(commune=two_units["commune_a"]) for _ in range(3))
    for person in (on_time, too_late, training):
        event(person, "accompagnement.debut", "2019-01-31", programme="coaching")
    event(on_time, "emploi.debut", "2019-04-30", contract_type="cdd", placement=12)  # 31/01 + 3 months
    event(too_late, "emploi.debut", "2019-05-01", contract_type="cdi")
    event(training, "formation.debut", "2019-02-15")
    result = stats()
    assert result["coaching"]["entries"] == 3
    assert result["coaching"]["job_within_3_months"] == 1
    assert result["coaching"]["training_within_3_months"] == 1
    assert result["coaching"]["job_or_training_within_3_months"] == 2
    assert result["coaching"]["jobs_by_contract_type"]["cdd"] == 1
    assert result["placements"]["job_starts"] == 2
    assert result["placements"]["through_platform"] == 1


def test_unit_scope_and_breakdowns(two_units):
    in_a = PersonFactory(commune=two_units["commune_a"], sex="F", birth_date=datetime.date(1990, 6, 1))
    in_b = PersonFactory(commune=two_units["commune_b"], sex="M", birth_date=datetime.date(1999, 6, 1))
    received(in_a, "2019-03-01", "2019-03-05")
    received(in_b, "2019-03-01", "2019-03-21")
    only_a = stats(unit_ids=[two_units["unit_a"].pk])
    assert only_a["entrants"]["count"] == 1
    assert only_a["delay_first_interview"]["mean_days"] == 4.0
    everyone = stats()
    by_unit = {row["key"]: row for row in everyone["breakdowns"]["unit"]}
    assert by_unit["A"]["mean_delay_first_interview_days"] == 4.0
    assert by_unit["B"]["mean_delay_first_interview_days"] == 20.0
    by_age = {row["key"]: row["entrants"] for row in everyone["breakdowns"]["age_band"]}
    assert (by_age["25_29"], by_age["moins_25"]) == (1, 1)
    by_sex = {row["key"]: row["drees_population"] for row in everyone["breakdowns"]["sex"]}
    assert (by_sex["F"], by_sex["M"]) == (1, 1)
    assert [row["key"] for row in everyone["breakdowns"]["month"]] == ["2019-03"]
