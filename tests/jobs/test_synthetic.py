import datetime

import pytest
from django.core.management import CommandError, call_command

from parcours.jobs.models import CandidateProfile, Employer, JobOffer, SectorGroup
from parcours.jobs.siret import is_valid_siret
from tests.accounts.factories import OrganisationFactory
from tests.people.factories import PersonFactory


def test_generate_jobs_builds_demo_data_on_existing_persons(two_units, capsys):
    for index in range(20):
        PersonFactory(commune=two_units["commune_a"], birth_date=datetime.date(1980 + index % 20, 1, 1))
    portal_organisation = OrganisationFactory(kind="employer", name="Boulangerie du Nord")

    call_command("generate_jobs", "--departement", "59", "--seed", "3", "--employers", "6", "--offers", "12")

    assert "7 employeurs, 12 offres" in capsys.readouterr().out  # 6 + the portal account's employer
    assert SectorGroup.objects.count() == 6
    assert Employer.objects.count() == 7
    assert all(is_valid_siret(siret) for siret in Employer.objects.values_list("siret", flat=True))
    assert Employer.objects.get(organisation=portal_organisation).name == "Boulangerie du Nord"
    assert JobOffer.objects.count() == 12
    profiles = CandidateProfile.objects.all()
    assert 0 < profiles.count() < 20
    assert all(profile.target_appellations.exists() for profile in profiles)


def test_generate_jobs_twice_changes_nothing(two_units, capsys):
    PersonFactory(commune=two_units["commune_a"])
    call_command("generate_jobs", "--departement", "59", "--seed", "3", "--employers", "4", "--offers", "5")
    counts = (Employer.objects.count(), JobOffer.objects.count(), CandidateProfile.objects.count())
    capsys.readouterr()
    call_command("generate_jobs", "--departement", "59", "--seed", "3", "--employers", "4", "--offers", "5")
    assert "rien à faire" in capsys.readouterr().out
    assert (Employer.objects.count(), JobOffer.objects.count(), CandidateProfile.objects.count()) == counts


def test_generate_jobs_needs_the_territory(db):
    with pytest.raises(CommandError, match="load-territory"):
        call_command("generate_jobs", "--departement", "976")
