import pytest


@pytest.fixture(autouse=True)
def _no_grace(settings):
    """The histories are written with past times; the job may fold in everything at once."""
    settings.GDDT_REPORTS_GRACE_SECONDS = 0
