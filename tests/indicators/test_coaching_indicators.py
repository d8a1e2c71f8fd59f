"""Issue #13 point 5: the coaching indicators (persons coached, contacts per week, share of weeks
with a contact, accompagnements globaux), the cadence rule shared with the coach's caseload, and
their recomputation by DuckDB from the pseudonymised export."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from parcours.accompaniment import workflows
from parcours.accompaniment.models import Accompaniment, ContactMode, EndReason, Programme
from parcours.indicators import recompute
from parcours.indicators.stats import compute
from tests.accompaniment.factories import oriented_person
from tests.accounts.factories import AgentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

D = datetime.date
# April-May 2024: Easter Monday 1 April, 1 May, 8 May and Ascension 9 May (a holiday week).
START, END = D(2024, 4, 1), D(2024, 5, 31)


def contacts(accompaniment, coach, *days):
    for day in days:
        workflows.log_contact(accompaniment, on=day, mode=ContactMode.INTERVIEW, by=coach)


@pytest.fixture
def pathways():
    coach = AgentFactory(role="coach_emploi")
    first = oriented_person(D(2024, 3, 1))
    # Starts on Tuesday after Easter Monday (4 working days: due); misses the week of 15 April;
    # the holiday week of 6 May is excused; a job and the end on 21 May (3 days covered: excused).
    a = workflows.start(first, Programme.COACHING, referents=[coach], on=D(2024, 4, 2), by=coach)
    contacts(a, coach, D(2024, 4, 3), D(2024, 4, 10), D(2024, 4, 11), D(2024, 4, 24), D(2024, 5, 15))
    workflows.record_job(
        first, started_on=D(2024, 5, 20), contract_type="cdd", hours_per_week=35, sector="K1304", by=coach
    )
    workflows.end(a, on=D(2024, 5, 21), reason=EndReason.JOB, by=coach)
    second = oriented_person(D(2024, 3, 1))
    # Starts on a Thursday (2 days covered: excused), open at the end, a contact every other week.
    b = workflows.start(second, Programme.COACHING, referents=[coach], on=D(2024, 4, 18), by=coach)
    contacts(b, coach, D(2024, 4, 19), D(2024, 4, 29), D(2024, 5, 13), D(2024, 5, 27))
    third = oriented_person(D(2023, 9, 1))
    # Started before the period, ended after it: open at its end, coached in it.
    c = workflows.start(third, Programme.COACHING, referents=[coach], on=D(2024, 2, 5), by=coach)
    contacts(c, coach, D(2024, 4, 2), D(2024, 5, 2), D(2024, 6, 3))
    workflows.end(c, on=D(2024, 6, 4), reason=EndReason.PROGRAMME_OVER, by=coach)
    # An accompagnement global in pairs: not a coaching.
    pair = [
        AgentFactory(organisation=OrganisationFactory()),
        AgentFactory(organisation=OrganisationFactory()),
    ]
    fourth = oriented_person(D(2024, 3, 1))
    g = workflows.start(fourth, Programme.GLOBAL, referents=pair, on=D(2024, 4, 8), by=pair[0])
    workflows.log_contact(g, on=D(2024, 4, 9), mode=ContactMode.PHONE, by=pair[0])
    return {"coaching": [a, b, c], "global": g}


def as_seen_at(accompaniment, end):
    """The accompaniment as the period's end saw it (an end recorded later is not known)."""
    seen = Accompaniment.objects.get(pk=accompaniment.pk)
    if seen.ended_on and seen.ended_on > end:
        seen.ended_on = None
    return seen


def test_the_coaching_figures(pathways):
    coaching = compute(START, END)["coaching"]
    assert coaching["entries"] == 2  # the third started before the period
    assert coaching["coached_in_period"] == 3
    assert coaching["coached_at_end"] == 2  # the first ended on 21 May
    assert coaching["contacts"] == 5 + 4 + 2  # the global's contact and June's left out
    # first: weeks of 1, 8, 15, 22, 29 April and 13 May due (6 May excused, 20 May: 2 days);
    # second: 22, 29 April, 13, 20 May (15 April and 27 May: not complete on 31 May… 27 May is
    # the week in progress); third: 1, 8, 15, 22, 29 April, 13, 20 May (27 May in progress).
    assert coaching["weeks_due"] == 6 + 4 + 7
    # with a contact: first 1, 8, 22 April and 13 May; second 29 April and 13 May; third 1 and
    # 29 April. Contacts in those weeks: 5 + 2 + 2 (19 April's week was excused, 27 May's runs).
    assert coaching["weeks_with_contact"] == 4 + 2 + 2
    assert coaching["share_weeks_with_contact"] == round(8 / 17, 4)
    assert coaching["contacts_per_week"] == round(9 / 17, 2)
    assert coaching["job_or_training_within_3_months"] == 1


def test_the_weeks_agree_with_the_cadence_of_the_caseload(pathways):
    """One rule: the dashboard's weeks are those of `accompaniment.cadence` with "today" the day
    after the period end, their Monday in the period, neither excused nor in progress."""
    coaching = compute(START, END)["coaching"]
    weeks = [
        week
        for accompaniment in pathways["coaching"]
        for week in workflows.cadence(as_seen_at(accompaniment, END), END + datetime.timedelta(days=1))
        if START <= week.monday <= END and not week.excused and not week.in_progress
    ]
    assert coaching["weeks_due"] == len(weeks)
    assert coaching["weeks_with_contact"] == sum(week.with_contact for week in weeks)
    # Over a holiday-free period ending on a Sunday the rule holds too.
    june = compute(D(2024, 4, 8), D(2024, 4, 28))["coaching"]
    weeks = [
        week
        for accompaniment in pathways["coaching"]
        for week in workflows.cadence(as_seen_at(accompaniment, D(2024, 4, 28)), D(2024, 4, 29))
        if D(2024, 4, 8) <= week.monday <= D(2024, 4, 28) and not week.excused and not week.in_progress
    ]
    assert (june["weeks_due"], june["weeks_with_contact"]) == (len(weeks), sum(w.with_contact for w in weeks))


def test_accompagnement_global_entries_against_the_target(pathways):
    result = compute(D(2024, 1, 1), D(2024, 12, 31))["global_accompaniment"]
    assert result == {"entries": 1, "target": None, "share_of_target": None}  # no target set: n.d.
    ProgrammeTarget = apps.get_model("accompaniment", "ProgrammeTarget")
    ProgrammeTarget.objects.create(programme=Programme.GLOBAL, year=2024, target_persons=4)
    result = compute(D(2024, 1, 1), D(2024, 12, 31))["global_accompaniment"]
    assert result == {"entries": 1, "target": 4, "share_of_target": 0.25}
    # A period other than a calendar year has no target.
    assert compute(START, END)["global_accompaniment"]["target"] is None


def test_duckdb_recomputes_the_coaching_figures(pathways, tmp_path):
    target = tmp_path / "events.parquet"
    call_command(
        "export_events", "--from", "2000-01-01", "--to", "2024-12-31", "--format", "parquet",
        "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    for start, end in ((START, END), (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 4, 8), D(2024, 4, 28))):
        ours = compute(start, end)
        assert recompute.headline(str(target), start, end, departement="59") == recompute.expected(ours)
