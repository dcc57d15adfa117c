"""The reliability campaign: ``python ops/campaign/run.py [--kills 50] [--jobs N]``.

Starts the reference service (accepting only a fresh random key shaped like a Runway key)
and a real agent process whose profiles read that key from the environment, then:

1. faults: batches of N jobs cycling through every fault mode of faultplan.py, the agent
   SIGKILLed at random points and restarted, until --kills kills happened; every batch is
   audited (lost jobs, partial or stray versions, staging leftovers, repeated creates);
2. bad input: every case of the bad-input catalogue (40+), each checked for its error and
   for "nothing changed on disk, nothing sent";
3. access: loopback only, 401 without the token, token file 0600;
4. secrets: the agent is stopped, then every file the run wrote (ledger and WAL, log,
   version.json, frames, work files, review OTIO) and every error and event text is
   scanned for the key;

and prints a table of figures. Exit status 0 only when every lost/corrupted count is zero.
"""
from __future__ import annotations

import argparse
import logging
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Sequence

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``ops.campaign`` importable
    sys.path.insert(0, str(ROOT))

KEY_ENV = "SHOTLOOP_CAMPAIGN_KEY"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ops/campaign/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs of the agent (default 50)")
    parser.add_argument("--jobs", type=int, default=22, help="jobs per batch (default 22: one per fault mode)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one)")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--minutes", type=float, default=14.0, help="time budget for the fault phase")
    return parser


def write(out: IO[str], text: str = "") -> None:
    out.write(text + "\n")
    out.flush()


def main(argv: Sequence[str] | None = None, out: IO[str] = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1, 10**6)
    work = args.work or Path(tempfile.mkdtemp(prefix="shotloop-campaign-"))
    work.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=work / "campaign.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    write(out, f"ShotLoop reliability campaign: seed {seed}, {args.kills} kills, "
               f"{args.jobs} jobs per batch, work folder {work}")
    failed = run(args, seed, work, out)
    write(out, f"finished in {time.monotonic() - started:.0f} s; "
               f"{'FAILED' if failed else 'all lost/corrupted counts are zero'}")
    if not failed and not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def run(args: argparse.Namespace, seed: int, work: Path, out: IO[str]) -> bool:
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    from ops.campaign.agents import AgentProcess, settings_toml
    from ops.campaign.badinput import Workspace
    from ops.campaign.hostile import HostileServer
    from ops.campaign.phases import (all_events, check_access, run_bad_inputs, run_fault_batches,
                                     scan_secrets)
    from ops.campaign.report import print_report
    from ops.campaign.tinyfs import tiny_filesystem
    from shotloop.store.ledger import Ledger

    rng = random.Random(seed)
    key = "key_" + secrets.token_hex(64)  # made for this run only; never written anywhere
    config = ServiceConfig(api_key=key, concurrency=16, pending_s=0.2, running_s=0.5,
                           work_dir=str(work / "refservice"), journal_limit=20000)
    with RefService(config) as service, HostileServer() as hostile, \
            tiny_filesystem(work / "tiny") as tiny:
        settings = work / "settings.toml"
        settings.write_text(settings_toml(service.url, key=f"env:{KEY_ENV}"), encoding="utf-8")
        agent = AgentProcess(work / "agent-home", settings, env={KEY_ENV: key})
        try:
            agent.start()
            write(out, "phase 1/4: fault batches under SIGKILL ...")
            faults = run_fault_batches(agent, service, work / "faults", kills=args.kills,
                                       jobs_per_batch=args.jobs, rng=rng,
                                       deadline_s=args.minutes * 60)
            write(out, "phase 2/4: bad input ...")
            ws = Workspace(dir=work / "bad-input", store=work / "bad-input-store", api=agent.api,
                           token=agent.home.token(), service=service, hostile=hostile, tiny=tiny)
            ws.dir.mkdir(exist_ok=True)
            ws.store.mkdir(exist_ok=True)
            bad = run_bad_inputs(ws)
            write(out, "phase 3/4: access ...")
            access = check_access(agent)
            events = all_events(agent.api)
            jobs = faults.all_jobs
        finally:
            agent.stop()
        with Ledger(agent.home.ledger) as ledger:
            integrity = ledger.integrity_check()
        write(out, "phase 4/4: secrets ...")
        scanned, hits = scan_secrets(key, [work], jobs, events)
        stats = service.stats()
    return print_report(out, faults=faults, bad=bad, access=access, integrity=integrity,
                        scanned=scanned, hits=hits, service_stats=stats, tiny=tiny is not None)


if __name__ == "__main__":
    sys.exit(main())
