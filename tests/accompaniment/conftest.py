from tests.jobs.conftest import rome_reference  # noqa: F401 (the offers' ROME appellations)
