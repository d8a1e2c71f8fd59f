import pytest

from tests.territory.factories import CommuneFactory


@pytest.fixture
def lille(departement):
    return CommuneFactory(
        departement=departement, insee_code="59350", postal_codes="59000 59160", name="Lille"
    )


@pytest.fixture
def roubaix(departement):
    return CommuneFactory(departement=departement, insee_code="59512", postal_codes="59100", name="Roubaix")


@pytest.fixture
def write(tmp_path):
    """write(name, dossiers, **options) -> path of a flux file."""
    from parcours.rsa.synthetic import write_flux

    def _write(name, dossiers, **options):
        path = tmp_path / name
        write_flux(path, dossiers, **options)
        return path

    return _write
