"""The accompagnement global's pair, joint diagnosis, action plan and target (workflows)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from parcours.accompaniment import action_plan, diagnosis, pairs, targets, workflows
from parcours.accompaniment.models import Accompaniment, Programme
from parcours.accompaniment.plans import (
    ActionChange,
    ActionStatus,
    BarrierLevel,
    DiagnosisStatus,
    ObjectiveStatus,
    ProgrammeTarget,
)
from parcours.accounts.models import OrganisationKind
from parcours.core.access import visible_persons
from parcours.indicators import event_export, stats
from parcours.people.models import Follow
from parcours.reception.models import Need, NeedTheme
from tests.accompaniment.factories import oriented_person
from tests.accounts.factories import AgentFactory, OrganisationFactory
from tests.territory.factories import UnitFactory

START = datetime.date(2026, 3, 2)


@pytest.fixture
def organisations(departement):
    return {
        "cd": OrganisationFactory(
            name="Département du Nord", kind=OrganisationKind.DEPARTEMENT, departement=departement
        ),
        "ft": OrganisationFactory(
            name="France Travail", kind=OrganisationKind.FRANCE_TRAVAIL, departement=departement
        ),
    }


@pytest.fixture
def pair(organisations, departement):
    unit = UnitFactory(departement=departement)
    social = AgentFactory(role="referent", organisation=organisations["cd"], units=[unit])
    adviser = AgentFactory(role="referent", organisation=organisations["ft"], units=[])
    person = oriented_person(datetime.date(2026, 2, 2))
    accompaniment = pairs.start_pair(person, social, adviser, on=START, by=social)
    return {"social": social, "adviser": adviser, "person": person, "acc": accompaniment, "unit": unit}


def theme(code: str) -> NeedTheme:
    return NeedTheme.objects.get(code=code)


def need_of(code: str) -> Need:
    return Need.objects.filter(situation__theme__code=code, active=True).order_by("position", "pk").first()


# -- the pair --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pair_sees_the_person_and_finds_one_caseload_entry_each(pair):
    for agent in (pair["social"], pair["adviser"]):
        assert visible_persons(agent).filter(pk=pair["person"].pk).exists()
        assert list(Accompaniment.objects.followed_by(agent)) == [pair["acc"]]
    assert Follow.objects.filter(person=pair["person"], kind="accompagnement").count() == 2


@pytest.mark.django_db
def test_a_second_referent_of_the_same_organisation_is_refused(organisations):
    social = AgentFactory(role="referent", organisation=organisations["cd"])
    colleague = AgentFactory(role="coach_emploi", organisation=organisations["cd"])
    person = oriented_person()
    with pytest.raises(ValidationError, match="deux organisations différentes"):
        pairs.start_pair(person, social, colleague, on=START, by=social)
    with pytest.raises(ValidationError, match="deux référents différents"):
        pairs.start_pair(person, social, social, on=START, by=social)
    assert not Accompaniment.objects.exists()


@pytest.mark.django_db
def test_only_the_pair_their_managers_and_administrators_edit(pair, organisations):
    acc = pair["acc"]
    manager = AgentFactory(role="manager", units=[pair["unit"]])
    other_manager = AgentFactory(role="manager", units=[UnitFactory()])
    outsider = AgentFactory(role="referent", organisation=organisations["cd"], units=[pair["unit"]])
    assert pairs.may_edit(pair["social"], acc) and pairs.may_edit(pair["adviser"], acc)
    assert pairs.may_edit(manager, acc)
    assert pairs.may_edit(AgentFactory(role="administrateur"), acc)
    assert not pairs.may_edit(other_manager, acc)
    assert not pairs.may_edit(outsider, acc)
    with pytest.raises(PermissionDenied):
        action_plan.add_objective(acc, title="Logement", by=outsider)


# -- the diagnosis ---------------------------------------------------------------------------


def _all_barriers(level=BarrierLevel.NONE, **overrides):
    items = []
    for t in diagnosis.themes():
        if t.is_peripheral_barrier:
            level_here, need = overrides.get(t.code, (level, None))
            items.append(diagnosis.Assessment(t, level_here, need, ""))
    return items


@pytest.mark.django_db
def test_the_diagnosis_shows_every_peripheral_barrier_first():
    shown = diagnosis.themes()
    codes = [t.code for t in shown if t.is_peripheral_barrier]
    assert len(codes) == 6
    assert [t.is_peripheral_barrier for t in shown[:6]] == [True] * 6
    assert {"logement", "mobilite"} <= set(codes)


@pytest.mark.django_db
def test_a_draft_is_saved_partially_but_validation_needs_every_barrier(pair):
    acc, social = pair["acc"], pair["social"]
    housing = diagnosis.Assessment(
        theme("logement"), BarrierLevel.STRONG, need_of("logement"), "Hébergée chez un tiers"
    )
    draft = diagnosis.save(acc, [housing], on=START, by=social)
    assert draft.status == DiagnosisStatus.DRAFT
    assert set(draft.authors.all()) == {pair["social"], pair["adviser"]}
    with pytest.raises(ValidationError, match="Mobilité"):
        diagnosis.save(acc, [housing], on=START, by=pair["adviser"], validate=True)
    items = _all_barriers(
        logement=(BarrierLevel.STRONG, need_of("logement")), mobilite=(BarrierLevel.LIGHT, None)
    )
    validated = diagnosis.save(acc, items, on=START, by=pair["adviser"], validate=True)
    assert validated.pk == draft.pk and validated.status == DiagnosisStatus.VALIDATED
    assert validated.validated_by == pair["adviser"]
    assert validated.items.get(theme__code="logement").need == need_of("logement")
    # A validated diagnosis stays: an update starts a new draft.
    newer = diagnosis.save(acc, items, on=datetime.date(2026, 4, 1), by=social)
    assert newer.pk != validated.pk and diagnosis.current(acc) == newer


@pytest.mark.django_db
def test_diagnosis_rules(pair):
    acc, social = pair["acc"], pair["social"]
    housing = theme("logement")
    with pytest.raises(ValidationError, match="précéder le début"):
        diagnosis.save(acc, [], on=START - datetime.timedelta(days=1), by=social)
    with pytest.raises(ValidationError, match="n'est pas un besoin"):
        diagnosis.save(
            acc, [diagnosis.Assessment(housing, BarrierLevel.LIGHT, need_of("mobilite"))], on=START, by=social
        )
    with pytest.raises(ValidationError, match="Aucun frein"):
        diagnosis.save(
            acc, [diagnosis.Assessment(housing, BarrierLevel.NONE, need_of("logement"))], on=START, by=social
        )
    with pytest.raises(ValidationError, match="500 au plus"):
        diagnosis.save(
            acc, [diagnosis.Assessment(housing, BarrierLevel.LIGHT, None, "x" * 501)], on=START, by=social
        )


# -- the action plan -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_plan_objectives_actions_and_their_history(pair):
    acc, social, adviser = pair["acc"], pair["social"], pair["adviser"]
    objective = action_plan.add_objective(
        acc, title="Trouver un logement stable", needs=[need_of("logement")], by=social
    )
    action = action_plan.add_action(
        objective, title="Déposer une demande de logement social", owner=adviser, due_on=START, by=social
    )
    partner_action = action_plan.add_action(
        objective, title="Atelier budget", partner="CCAS de Lille", due_on=START, by=social
    )
    assert partner_action.owner_label == "CCAS de Lille (partenaire)"
    action = action_plan.set_action_status(
        action, ActionStatus.DONE, by=adviser, on=datetime.date(2026, 3, 10)
    )
    assert action.status == ActionStatus.DONE and action.done_on == datetime.date(2026, 3, 10)
    with pytest.raises(ValidationError, match="directement"):
        action_plan.set_action_status(action, ActionStatus.ABANDONED, by=adviser)
    action = action_plan.set_action_status(action, ActionStatus.IN_PROGRESS, by=social)
    assert action.done_on is None
    history = list(
        ActionChange.objects.filter(action=action).order_by("at", "id").values_list("field", "after", "by")
    )
    assert history == [
        ("action", "Déposer une demande de logement social", social.pk),
        ("état", "Faite", adviser.pk),
        ("état", "En cours", social.pk),
    ]
    action_plan.set_objective_status(objective, ObjectiveStatus.REACHED, by=adviser)
    with pytest.raises(ValidationError, match="n'est plus en cours"):
        action_plan.add_action(objective, title="Autre", owner=social, due_on=START, by=social)


@pytest.mark.django_db
def test_action_rules(pair, organisations):
    acc, social = pair["acc"], pair["social"]
    objective = action_plan.add_objective(acc, title="Mobilité", by=social)
    with pytest.raises(ValidationError, match="précède le début"):
        action_plan.add_action(
            objective, title="Permis", owner=social, due_on=START - datetime.timedelta(days=1), by=social
        )
    with pytest.raises(ValidationError, match="un seul porteur"):
        action_plan.add_action(
            objective, title="Permis", owner=social, partner="Auto-école", due_on=START, by=social
        )
    with pytest.raises(ValidationError, match="Choisissez le porteur"):
        action_plan.add_action(objective, title="Permis", due_on=START, by=social)
    stranger = AgentFactory(role="referent", organisation=organisations["cd"])
    with pytest.raises(ValidationError, match="n'est pas référent"):
        action_plan.add_action(objective, title="Permis", owner=stranger, due_on=START, by=social)
    action = action_plan.add_action(objective, title="Permis", owner=social, due_on=START, by=social)
    updated = action_plan.update_action(
        action, title="Code de la route", owner=pair["adviser"], due_on=datetime.date(2026, 5, 1), by=social
    )
    assert (updated.title, updated.owner, updated.due_on) == (
        "Code de la route",
        pair["adviser"],
        datetime.date(2026, 5, 1),
    )
    assert set(ActionChange.objects.filter(action=action).values_list("field", flat=True)) == {
        "action",
        "intitulé",
        "porteur",
        "échéance",
    }


@pytest.mark.django_db
def test_an_ended_accompaniment_is_read_only(pair):
    acc = pair["acc"]
    workflows.end(acc, on=datetime.date(2026, 4, 1), reason="abandon", by=pair["social"])
    acc.refresh_from_db()
    assert not pairs.may_edit(pair["social"], acc)
    with pytest.raises(PermissionDenied, match="terminé"):
        action_plan.add_objective(acc, title="Trop tard", by=pair["social"])


@pytest.mark.django_db
def test_owned_actions_due_soon_and_overdue(pair):
    acc, social, adviser = pair["acc"], pair["social"], pair["adviser"]
    objective = action_plan.add_objective(acc, title="Emploi", by=social)
    today = datetime.date(2026, 4, 1)
    late = action_plan.add_action(
        objective, title="CV", owner=adviser, due_on=datetime.date(2026, 3, 20), by=social
    )
    soon = action_plan.add_action(
        objective, title="Salon", owner=adviser, due_on=datetime.date(2026, 4, 10), by=social
    )
    later = action_plan.add_action(
        objective, title="Stage", owner=adviser, due_on=datetime.date(2026, 6, 1), by=social
    )
    action_plan.add_action(
        objective, title="Pas à moi", owner=social, due_on=datetime.date(2026, 4, 2), by=social
    )
    done = action_plan.add_action(
        objective, title="Fait", owner=adviser, due_on=datetime.date(2026, 3, 5), by=social
    )
    action_plan.set_action_status(done, ActionStatus.DONE, by=adviser, on=datetime.date(2026, 3, 5))
    assert list(action_plan.owned_actions(adviser, today=today)) == [late, soon, later]
    assert list(action_plan.owned_actions(adviser, due="retard", today=today)) == [late]
    assert list(action_plan.owned_actions(adviser, due="bientot", today=today)) == [soon]


# -- the target ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_target_counts_persons_started_in_the_year_as_the_event_export_does(pair, organisations):
    social = pair["social"]
    adviser = pair["adviser"]
    # Another person in 2026, ended then restarted: counted once.
    again = oriented_person(datetime.date(2026, 1, 5))
    first = pairs.start_pair(again, social, adviser, on=datetime.date(2026, 1, 12), by=social)
    workflows.end(first, on=datetime.date(2026, 2, 1), reason="autre", by=social)
    pairs.start_pair(again, social, adviser, on=datetime.date(2026, 2, 2), by=social)
    # A start in 2025 and a coaching in 2026: not counted for 2026.
    old = oriented_person(datetime.date(2025, 11, 3))
    pairs.start_pair(old, social, adviser, on=datetime.date(2025, 12, 31), by=social)
    coached = oriented_person(datetime.date(2026, 1, 5))
    workflows.start(coached, Programme.COACHING, referents=[social], on=datetime.date(2026, 3, 3), by=social)

    targets.set_target(Programme.GLOBAL, 2026, 4, by=AgentFactory(role="administrateur"))
    progress = targets.progress(Programme.GLOBAL, 2026)
    assert (progress.persons, progress.target, progress.percent) == (2, 4, 50)

    columns = event_export.rows(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    from_export = {
        person
        for person, kind, programme in zip(
            columns["person"], columns["kind"], columns["programme"], strict=True
        )
        if kind == "accompagnement.debut" and programme == "global"
    }
    assert len(from_export) == progress.persons
    # …and the indicators dashboard's section (`indicators.stats`, a whole calendar year) agrees.
    year = stats.compute(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))["global_accompaniment"]
    assert (year["entries"], year["target"]) == (progress.persons, progress.target)
    assert targets.persons_started(Programme.GLOBAL, 2025) == 1


@pytest.mark.django_db
def test_targets_are_set_once_per_programme_and_year_and_the_demo_scales(pair):
    targets.set_target(Programme.GLOBAL, 2026, 100, by=None)
    targets.set_target(Programme.GLOBAL, 2026, 120, by=None)
    assert ProgrammeTarget.objects.get().target_persons == 120
    with pytest.raises(ValidationError):
        targets.set_target(Programme.GLOBAL, 2026, 0, by=None)
    [demo] = targets.set_demo_targets(2027, "0.01")
    assert demo.target_persons == 40
    assert targets.progress(Programme.COACHING, 2026).target is None


@pytest.mark.django_db
def test_the_migration_is_in_step_with_the_models():
    out = io.StringIO()
    call_command("makemigrations", "accompaniment", "--check", "--dry-run", stdout=out)
