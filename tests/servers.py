"""The app served for real by gunicorn on loopback, for tests that need several processes."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def app_environment(database_url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "a secret for the test server",
        **settings,
    }


def flask(environment: dict[str, str], *arguments: str) -> None:
    """Run one of the app's commands, as the README does, on the environment's database."""
    subprocess.run(
        [VENV_BIN / "flask", "--app", "wsgi", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )


def migrate(environment: dict[str, str]) -> None:
    flask(environment, "db", "upgrade")


def seed_demo(environment: dict[str, str]) -> None:
    flask(environment, "seed", "--demo")


@contextmanager
def gunicorn(
    environment: dict[str, str], workers: int, *options: str, app: str = "wsgi:app"
) -> Iterator[str]:
    """Serve the app (or `app`, a WSGI app of its own with a /livez) with `workers`
    processes; yields its base URL once it answers."""
    port = free_port()
    command = [
        VENV_BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning", *options, app,
    ]  # fmt: skip
    with serving(command, environment, f"http://127.0.0.1:{port}") as base_url:
        yield base_url


@contextmanager
def gunicorn_as_configured(environment: dict[str, str]) -> Iterator[str]:
    """Serve the app as production does, with gunicorn.conf.py, on a port of its own."""
    port = free_port()
    command = [VENV_BIN / "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
    environment = {**environment, "BIND": f"127.0.0.1:{port}"}
    with serving(command, environment, f"http://127.0.0.1:{port}") as base_url:
        yield base_url


@contextmanager
def serving(command: list, environment: dict[str, str], base_url: str) -> Iterator[str]:
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        # Each worker imports the app itself: on a busy machine that takes a while.
        wait_until_answering(base_url + "/livez", process, seconds=120)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")
