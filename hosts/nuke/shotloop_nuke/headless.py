"""Terminal mode (``nuke -t``): send Reads of a saved script and wait for their versions.

    nuke -t /path/to/hosts/nuke/shotloop_send.py script.nk Read1 Read2 --model gen4_turbo

There is no GUI event loop in terminal mode, so this script runs the main-thread queue itself
(``NukeHost.run_queued``) until every job is final, then saves the script (its ShotLoop state
and version stacks) with ``scriptSaveAs(..., overwrite=1)``.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any, Sequence

import nuke

from shotloop.model import KeyframeMode, Recipe

from . import runtime
from .send import send_selected

log = logging.getLogger(__name__)


def send_and_wait(nodes: Sequence[Any], recipe: Recipe, *, session: Any = None,
                  timeout_s: float = 3600.0) -> str:
    """Send ``nodes`` and run the main-thread queue until the batch is done; returns its state."""
    session = session if session is not None else runtime.session()
    host = session.host
    batch = send_selected(host, recipe, session=session, nodes=nodes)
    deadline = time.monotonic() + timeout_s
    while session.batch_status(batch) != "done":
        if time.monotonic() > deadline:
            raise TimeoutError(f"ShotLoop batch {batch} not done after {timeout_s:.0f} s")
        host.run_queued(timeout=0.5)
    return batch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shotloop-nuke-send")
    parser.add_argument("script")
    parser.add_argument("nodes", nargs="+")
    parser.add_argument("--model", default="gen4_turbo")
    parser.add_argument("--prompt", default="")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--ratio", default="1280:720")
    parser.add_argument("--label", default="gen")
    parser.add_argument("--keyframes", default=KeyframeMode.FIRST.value)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    nuke.scriptOpen(args.script)
    runtime.install()
    nodes = [nuke.toNode(name) for name in args.nodes]
    missing = [name for name, node in zip(args.nodes, nodes) if node is None]
    if missing:
        log.error("no such node: %s", ", ".join(missing))
        return 2
    recipe = Recipe(model=args.model, prompt=args.prompt, seed=args.seed, duration=args.duration,
                    ratio=args.ratio, label=args.label, keyframes=KeyframeMode(args.keyframes))
    session = runtime.session()
    send_and_wait(nodes, recipe, session=session, timeout_s=args.timeout)
    for line in session.errors:
        log.error("%s", line)
    session.save_state()
    nuke.scriptSaveAs(args.script, overwrite=1)
    runtime.shutdown()
    return 1 if session.errors else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
