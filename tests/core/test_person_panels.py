"""The person page composes the panels the apps declare (`core.person_panels`)."""

import pytest
from django.urls import reverse

from parcours.core import person_panels
from tests.accompaniment.factories import AccompanimentFactory
from tests.conftest import login_verified
from tests.people.factories import PersonFactory


def test_the_apps_declare_their_panels_in_the_order_of_installed_apps():
    templates = [template for template, _ in person_panels.declared()]
    assert templates.index("rsa/person_rights.html") < templates.index("accompaniment/person_panel.html")


@pytest.mark.django_db
def test_the_page_includes_each_panel_with_its_context(client, two_units, agent_a):
    person = PersonFactory(commune=two_units["commune_a"])
    AccompanimentFactory(person=person, referent=agent_a)
    login_verified(client, agent_a)
    response = client.get(reverse("people:detail", args=[person.pk]))
    html = response.content.decode()
    assert 'id="rsa-rights-title"' in html and "Aucun droit RSA connu" in html
    assert 'id="accompagnements"' in html and "Coaching MDIE" in html
    assert response.context["panel_templates"] == [t for t, _ in person_panels.declared()]


@pytest.mark.django_db
def test_two_panels_giving_the_same_key_is_an_error(monkeypatch, agent_a):
    def first(person, agent):
        return {"shared": 1}

    monkeypatch.setattr(person_panels, "declared", lambda: (("a.html", first), ("b.html", first)))
    with pytest.raises(ValueError, match="shared"):
        person_panels.panels_for(PersonFactory(), agent_a)
