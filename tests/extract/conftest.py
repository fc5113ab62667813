import pytest


@pytest.fixture(autouse=True, scope="session")
def _gazetteer_cache(tmp_path_factory):
    """Build the gazetteer's cached index in a temporary directory, never in the user's home."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TRUCE_CACHE_DIR", str(tmp_path_factory.mktemp("truce-cache")))
    yield
    mp.undo()
