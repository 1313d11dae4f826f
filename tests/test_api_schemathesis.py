"""Schemathesis against /api/v1/openapi.json, as a client elsewhere meets the API: the
demo catalogue served by gunicorn, and requests made from the document, valid and not,
including methods it does not list. No answer is a server error, and every answer is as
the document says (Schemathesis's every check)."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import TEST_DATABASE_URL, throwaway_postgres_database
from tests.servers import VENV_BIN, app_environment, gunicorn, migrate, seed_demo

#: Cases Schemathesis generates for each operation and phase: enough for every check,
#: few enough that the run takes seconds.
MAX_EXAMPLES = "20"


@contextmanager
def database(folder: Path) -> Iterator[str]:
    if TEST_DATABASE_URL:
        with throwaway_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'api.sqlite'}"


def schemathesis(schema_url: str, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VENV_BIN / "st", "run", schema_url, "--checks", "all",
         "--generation-deterministic", "--max-examples", MAX_EXAMPLES,
         "--url", schema_url.removesuffix("/openapi.json"), "--no-color"],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_schemathesis_finds_the_api_as_its_document_says(tmp_path):
    with database(tmp_path) as url:
        environment = app_environment(url, MAIL_FOLDER=str(tmp_path / "mail"))
        migrate(environment)
        seed_demo(environment)
        with gunicorn(environment, 1) as base_url:
            run = schemathesis(f"{base_url}/api/v1/openapi.json", tmp_path)

    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested: 6" in run.stdout
