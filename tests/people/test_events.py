"""`PersonEvent` keeps its typed copy (kind number, Unix seconds, `data` values as integers) in
step with kind, occurred_at and data whichever ORM path writes it."""

import datetime

from parcours.people.models import PersonEvent
from tests.people.factories import PersonFactory

MOMENT = datetime.datetime(2019, 3, 1, 10, 30, tzinfo=datetime.UTC)
SECONDS = 1_551_436_200


def typed(event: PersonEvent) -> tuple:
    event.refresh_from_db()
    return tuple(getattr(event, column) for column in PersonEvent.TYPED_COLUMNS)


def test_create_and_bulk_create_fill_the_typed_values(db):
    person = PersonFactory()
    created = PersonEvent.objects.create(
        person=person, kind="orientation.decidee", occurred_at=MOMENT, data={"orientation": "sociale"}
    )
    assert typed(created) == (18, SECONDS, 2, 0, 0)
    PersonEvent.objects.bulk_create(
        [PersonEvent(person=person, kind="rdv.pris", occurred_at=MOMENT, data={"channel": "agent"})]
    )
    assert typed(PersonEvent.objects.get(kind="rdv.pris")) == (13, SECONDS, 2, 0, 0)
    person.events.create(kind="adresse.changee", occurred_at=MOMENT)
    assert typed(PersonEvent.objects.get(kind="adresse.changee")) == (0, SECONDS, 0, 0, 0)


def test_saving_some_fields_refreshes_the_typed_values(db):
    event = PersonEvent.objects.create(
        person=PersonFactory(), kind="contrat.signe", occurred_at=MOMENT, data={"starts_on": "2019-03-01"}
    )
    event.data = {"starts_on": "2019-03-02", "ends_on": "2019-09-01"}
    event.save(update_fields=["data"])
    assert typed(event)[2:] == (0, 17957, 18140)


def test_refill_typed_values_follows_data_changed_behind_the_orm(db):
    event = PersonEvent.objects.create(
        person=PersonFactory(), kind="emploi.debut", occurred_at=MOMENT, data={"contract_type": "cdi"}
    )
    PersonEvent.objects.filter(pk=event.pk).update(data={"contract_type": "iae", "placement": "p-3"})
    assert typed(event)[2:] == (1, 0, 0)
    assert PersonEvent.objects.refill_typed_values(kinds=["emploi.debut"]) == 1
    assert typed(event)[2:] == (4, 1, 0)
