"""Code the store tests run in other processes (spawned, so it must be importable)."""
from __future__ import annotations

from pathlib import Path


def read_ledger(path: str) -> dict:
    """Open the ledger another process holds and read it back."""
    from shotloop.store import Ledger

    with Ledger(Path(path)) as ledger:
        return {"jobs": [(j.job_id, j.state.value) for j in ledger.list()],
                "kinds": [e.kind for e in ledger.events_since(0)],
                "problems": ledger.integrity_check()}


def reserve_and_publish(root: str, worker: int, count: int, barrier, results) -> None:
    """One agent: reserve ``count`` numbers for sh010/gen and publish a one-frame take each."""
    from shotloop.store import VersionStore

    from .helpers import write_frames

    store = VersionStore(Path(root))
    barrier.wait(60)
    done = []
    for i in range(count):
        job_id = f"w{worker}-j{i}"
        number = store.reserve("sh010", "gen", job_id)
        staging = store.staging("sh010", "gen", number)
        write_frames(staging, f"sh010_gen_v{number:03d}", [1001])
        store.publish(staging, "sh010", "gen", number, {
            "job_id": job_id, "model": "gen4_turbo", "seed": i,
            "conformed": {"fps": 24.0, "resolution": {"width": 64, "height": 36},
                          "colorspace": "ACEScg"}})
        done.append((job_id, number))
    results.put(done)
