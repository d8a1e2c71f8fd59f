import pytest


@pytest.fixture(autouse=True)
def aids_var_dir(settings, tmp_path):
    """Uploaded documents (var/aids/) and letters go to the test's own folder."""
    settings.VAR_DIR = tmp_path
    return tmp_path
