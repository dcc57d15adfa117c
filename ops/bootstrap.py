#!/usr/bin/env python3
"""Set up ShotLoop's own virtual environment and run the demo or the test suite.

Only the standard library is used here, so this runs on a fresh machine with Python 3.11:

    python3.11 ops/bootstrap.py demo      # sample edit out and back, prints where results are
    python3.11 ops/bootstrap.py test      # the whole test suite (what CI runs)

The environment lives in ``.venv`` beside setup.cfg and is reinstalled only when setup.cfg
changes. Extra arguments after the command are passed on (to ``shotloop demo`` or pytest).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SHOTLOOP_VENV", ROOT / ".venv"))
EXTRAS = {"demo": "", "test": "[test]"}


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_env(extra: str) -> Path:
    """Create the venv if needed and install the project (editable) with ``extra``."""
    if not _python().exists():
        sys.stderr.write(f"creating virtual environment in {VENV}\n")
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run([str(_python()), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    digest = hashlib.sha256((ROOT / "setup.cfg").read_bytes() + extra.encode()).hexdigest()
    stamp = VENV / f".shotloop-installed{extra.strip('[]') and '-' + extra.strip('[]')}"
    if not stamp.exists() or stamp.read_text() != digest:
        sys.stderr.write(f"installing shotloop{extra} into {VENV}\n")
        subprocess.run(
            [str(_python()), "-m", "pip", "install", "-q", "-e", f"{ROOT}{extra}"], check=True
        )
        stamp.write_text(digest)
    return _python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS:
        sys.stderr.write(__doc__ or "")
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_env(EXTRAS[command])
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    if command == "demo":
        args = [str(python), "-m", "shotloop.cli", "demo", *(rest or ["--out", str(ROOT / "shotloop-demo")])]
    else:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        args = [str(python), "-m", "pytest", *rest]
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
