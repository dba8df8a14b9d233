"""Real servers for the cluster tests: PostgreSQL, Redis and nginx from Debian's packages
(scripts/setup-cluster installs them; `make test-cluster` runs it first), the action server and
two Rasa instances, as `make run-cluster` starts them (bot.server.cluster).

Work folders are made under /tmp with mode 0755: as root, PostgreSQL runs as the `postgres` user,
which must reach its data folder (pytest's own temporary folders are 0700).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest


@pytest.fixture(scope="module")
def workroot() -> Iterator[Callable[[str], Path]]:
    made: list[Path] = []

    def make(prefix: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"lta-{prefix}-"))
        os.chmod(path, 0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)
