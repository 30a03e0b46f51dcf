"""Code run in a new interpreter, where nothing a test imported or started (a thread, a
module, a cache) is there yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def fresh_json(code: str, *args: str, stdin: str | None = None,
               env: dict[str, str] | None = None) -> Any:
    """Run `code` in a new interpreter with `args` (its `sys.argv[1:]`), from the project's
    root, with `stdin` as its input and `env` added to this process's environment; what it
    prints last, as JSON."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, input=stdin,
                          env={**os.environ, **env} if env else None)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])
