"""gunicorn.conf.py: what each worker does once it has loaded the app."""

import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def settings():
    yield runpy.run_path(str(CONFIG))
    gc.unfreeze()


def test_a_worker_sets_the_loaded_app_aside_from_full_collections(settings):
    """Every object alive once the app is loaded (here by the suite) is frozen: a full
    collection while serving scans only what requests made since, not the app itself."""
    gc.unfreeze()
    settings["post_worker_init"](None)

    assert gc.get_freeze_count() > 100_000
    assert len(gc.get_objects(generation=2)) == 0
