"""`flask --app wsgi backup PATH`: a consistent copy of the database while the app serves.

SQLite is copied with its online backup API, in one step: the copy is the database as
one read transaction saw it, while writers carry on (WAL). PostgreSQL is dumped by
`pg_dump`, which reads from one snapshot, in its custom format for `pg_restore`.
Restoring either is described in docs/backup.md.
"""

import os
import re
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL


class BackupFailed(Exception):
    """The backup could not be made; the message says why."""


def back_up(engine: Engine, path: Path) -> None:
    """Write a backup of the engine's database to `path`, whole or not at all."""
    if not path.parent.is_dir():
        raise BackupFailed(f"There is no folder {path.parent} to write the backup in")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        back_up_sqlite(engine, partial)
    elif engine.dialect.name == "postgresql":
        back_up_postgresql(engine, partial)
    else:
        raise BackupFailed(f"Backing up a {engine.dialect.name} database is not supported")
    partial.replace(path)


def back_up_sqlite(engine: Engine, path: Path) -> None:
    target = sqlite3.connect(path)
    try:
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            # pages=-1: the whole file in one step, so the copy is one moment's database.
            source.backup(target, pages=-1)
    finally:
        target.close()


def major_version(version_text: str) -> int:
    """12 from "pg_dump (PostgreSQL) 12.4 (Debian 12.4-1)"."""
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    if found is None:
        raise BackupFailed(f"Cannot read a version from {version_text!r}")
    return int(found.group(1))


def server_major_version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def pg_dump_major_version() -> int:
    try:
        found = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        raise BackupFailed(
            "pg_dump is not installed: install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client)"
        ) from None
    return major_version(found.stdout)


def back_up_postgresql(engine: Engine, path: Path) -> None:
    server, client = server_major_version(engine), pg_dump_major_version()
    if client < server:
        raise BackupFailed(
            f"pg_dump is version {client}, older than the server's {server}: it cannot dump "
            f"it. Install the client tools of version {server} or later."
        )
    url: URL = engine.url
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = url.password
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={path}",
        f"--host={url.host or 'localhost'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
        url.database or "",
    ]
    finished = subprocess.run(command, capture_output=True, text=True, env=environment)
    if finished.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {finished.stderr.strip()}")
