"""The ``shotloop`` command: agent, reference service, send, jobs, versions, edit, demo."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence, TextIO

from . import model
from .errors import PlateInvalid, ShotLoopError
from .model import Endpoint, FrameRange, JobRequest, KeyframeMode, Recipe, Resolution, Shot

log = logging.getLogger(__name__)


def _print(text: str = "", stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text + "\n")
    (stream or sys.stdout).flush()


# ---------------------------------------------------------------------- recipe arguments


def add_recipe_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("recipe")
    g.add_argument("--model", default="gen4_turbo", help="model id (default gen4_turbo)")
    g.add_argument("--prompt", default="", help="prompt text")
    g.add_argument("--endpoint", default="image_to_video", choices=[e.value for e in Endpoint])
    g.add_argument("--keyframes", default="first", choices=[k.value for k in KeyframeMode])
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--ratio", default="1280:720")
    g.add_argument("--duration", type=int, default=None,
                   help="seconds (default: the shortest the model allows that covers the shot)")
    g.add_argument("--label", default="gen", help="version stream name (default gen)")
    g.add_argument("--retime", action="store_true", help="retime by time instead of frame for frame")
    g.add_argument("--profile", default="", help="provider profile (default: reference service "
                                                  "unless a Runway key is configured)")


def recipe_from_args(args: argparse.Namespace, *, duration: int) -> Recipe:
    options = {"retime": True} if getattr(args, "retime", False) else {}
    return Recipe(model=args.model, prompt=args.prompt, endpoint=Endpoint(args.endpoint),
                  keyframes=KeyframeMode(args.keyframes), seed=args.seed, ratio=args.ratio,
                  duration=args.duration or duration, label=args.label, options=options)


def shortest_duration(endpoint: str, model_id: str, frames: int, fps: float) -> int:
    """The shortest duration the model offers that covers ``frames`` at ``fps``."""
    import math

    from .providers.runway_models import find

    needed = max(1, math.ceil(frames / fps - 1e-9))
    spec = find(endpoint, model_id)
    offered = sorted(spec.durations) if spec and spec.durations else [needed]
    return next((d for d in offered if d >= needed), offered[-1])


# ---------------------------------------------------------------------- commands


def cmd_agent(args: argparse.Namespace) -> int:
    from .agent.home import AgentHome
    from .agent.resources import override_profile
    from .agent.server import serve_forever
    from .client import AgentAPI
    from .settings import load_settings

    home = AgentHome.resolve(args.home)
    if args.stop:
        AgentAPI.connect(home.root, start=False).shutdown()
        return 0
    settings = load_settings(Path(args.project) if args.project else None)
    if args.reference_url:
        settings = override_profile(settings, "reference", base_url=args.reference_url)
    serve_forever(home, port=args.port, settings=settings, ocio_config=args.ocio_config)
    return 0


def _api(args: argparse.Namespace):
    from .client import AgentAPI

    return AgentAPI.connect(getattr(args, "home", None))


def cmd_send(args: argparse.Namespace) -> int:
    from .publish.send import send

    if args.cut:
        from .edit.commands import requests_from_cut

        args.root = str(Path(args.root).resolve())
        versions = None
        if args.continuity:  # neighbours' approved takes become first/last keyframes
            from .store.versions import VersionStore

            versions = VersionStore(Path(args.root)).versions
        requests = requests_from_cut(args, recipe_for=lambda shot: recipe_from_args(
            args, duration=shortest_duration(args.endpoint, args.model, shot.frame_range.count, shot.fps)),
            versions=versions)
    else:
        if args.last < args.first:
            raise PlateInvalid(f"frame range {args.first}-{args.last} ends before it starts",
                               shot=args.name, field="shot.frame_range",
                               fix="give --first at or before --last")
        shot = Shot(name=args.name, source=str(Path(args.plate).resolve()),
                    frame_range=FrameRange(args.first, args.last), fps=args.fps,
                    resolution=Resolution(args.width, args.height), colorspace=args.colorspace)
        duration = shortest_duration(args.endpoint, args.model, shot.frame_range.count, shot.fps)
        requests = [JobRequest(shot=shot, recipe=recipe_from_args(args, duration=duration),
                               profile=args.profile, store_root=str(Path(args.root).resolve()))]
    api = _api(args)
    results = send(requests, api, profile=args.profile)
    failed = 0
    for request, result in zip(requests, results):
        if isinstance(result, ShotLoopError):
            failed += 1
            _print(f"{request.shot.name}: {result.message}", sys.stderr)
        else:
            _print(f"{result.shot.name}: job {result.job_id} {result.state.value}")
    if args.wait:
        jobs = [r for r in results if not isinstance(r, ShotLoopError)]
        return watch(api, [j.job_id for j in jobs]) or (1 if failed else 0)
    return 1 if failed else 0


def watch(api: Any, job_ids: Sequence[str], *, stream: TextIO | None = None) -> int:
    """Follow the event feed, drawing one progress line per job, until all are final."""
    from .model import FINAL_STATES, JobState

    jobs = {j: api.job(j) for j in job_ids}
    cursor = 0
    shown: dict[str, str] = {}

    def draw(job: model.Job) -> None:
        bar = "#" * int(job.progress * 20)
        line = f"{job.shot.name:<10} {job.state.value:<14} [{bar:<20}] {job.progress * 100:5.1f}% {job.remote_status}"
        if job.state is JobState.PUBLISHED:
            line += f"  v{job.version:03d}"
        if job.reason:
            line += f"  {job.reason}"
        if shown.get(job.job_id) != line:
            shown[job.job_id] = line
            _print(line, stream)

    for job in jobs.values():
        draw(job)
    while any(j.state not in FINAL_STATES for j in jobs.values()):
        events, cursor = api.events(cursor, wait_s=10.0)
        touched = {e.job_id for e in events if e.job_id in jobs}
        for job_id in touched:
            jobs[job_id] = api.job(job_id)
            draw(jobs[job_id])
    return 0 if all(j.state is JobState.PUBLISHED for j in jobs.values()) else 1


def cmd_jobs(args: argparse.Namespace) -> int:
    api = _api(args)
    if args.action == "list":
        for job in api.jobs(state=args.state, shot=args.shot):
            _print(f"{job.job_id}  {job.shot.name:<10} {job.state.value:<14} {job.progress * 100:5.1f}%  "
                   f"{job.recipe.model}  {job.reason}")
        return 0
    if args.action == "watch":
        ids = args.ids or [j.job_id for j in api.jobs() if not j.state.final]
        return watch(api, ids)
    for job_id in args.ids:
        job = api.cancel(job_id) if args.action == "cancel" else api.retry(job_id)
        _print(f"{job.job_id}: {job.state.value}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    api = _api(args)
    root = str(Path(args.root).resolve()) if args.root else ""
    if args.action == "list":
        for v in api.versions(args.shot, label=args.label, root=root):
            _print(f"{v.name}  {v.review.value:<9} seed {v.seed:<10} {v.model:<12} {v.frames} "
                   f"{v.frame_range}  {v.note}")
        return 0
    if args.action in ("approve", "reject"):
        status = "approved" if args.action == "approve" else "rejected"
        v = api.review(args.shot, args.label, args.number, status, args.note, root=root)
        _print(f"{v.name}: {v.review.value}")
        return 0
    if args.action == "replay":
        job = api.replay(args.shot, args.label, args.number, root=root)
        _print(f"{args.shot}: replay job {job.job_id} {job.state.value}")
        return watch(api, [job.job_id]) if args.wait else 0
    from .store.provenance import recipe_diff

    a = api.provenance(args.shot, args.label, args.number, root=root)
    b = api.provenance(args.shot, args.label, args.other, root=root)
    for path, left, right in recipe_diff(a, b):
        _print(f"{path}: {left!r} -> {right!r}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(Path(args.out), stream=sys.stdout)


def cmd_ui(args: argparse.Namespace) -> int:
    from .ui.app import main as ui_main

    return ui_main(args)


# ---------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shotloop", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("agent", help="run the local job agent")
    p.add_argument("--home", help="agent state folder (default: SHOTLOOP_HOME)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--project", help="project folder whose shotloop.toml applies")
    p.add_argument("--ocio-config", help="OCIO config (default: $OCIO, else the built-in ACES config)")
    p.add_argument("--reference-url", help="use this reference service instead of the embedded one")
    p.add_argument("--stop", action="store_true", help="stop the running agent")
    p.set_defaults(func=cmd_agent)

    sub.add_parser("refservice", help="run the reference generation service "
                                      "(see `shotloop refservice --help`)")

    p = sub.add_parser("send", help="send shots (a plate or a cut) to the agent")
    p.add_argument("--home")
    src = p.add_argument_group("a plate")
    src.add_argument("--plate", help="image sequence pattern (####, %%04d) or movie")
    src.add_argument("--name", default="sh010")
    src.add_argument("--first", type=int, default=1001)
    src.add_argument("--last", type=int, default=1048)
    src.add_argument("--fps", type=float, default=24.0)
    src.add_argument("--width", type=int, default=1920)
    src.add_argument("--height", type=int, default=1080)
    src.add_argument("--colorspace", default="ACEScg")
    cut = p.add_argument_group("a cut")
    cut.add_argument("--cut", help="OTIO/EDL/XML cut; every video clip is a shot")
    cut.add_argument("--shots", help="comma-separated shot names to send (default: all)")
    cut.add_argument("--rate", type=float, help="frame rate of an EDL")
    cut.add_argument("--handles", type=int, default=8)
    cut.add_argument("--continuity", action="store_true",
                     help="use the neighbouring shots' approved takes as first/last keyframes")
    p.add_argument("--root", default="shotloop", help="version store root (default ./shotloop)")
    p.add_argument("--wait", action="store_true", help="follow progress until every job ends")
    add_recipe_arguments(p)
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("jobs", help="list, watch, cancel or retry jobs")
    p.add_argument("action", choices=["list", "watch", "cancel", "retry"])
    p.add_argument("ids", nargs="*")
    p.add_argument("--state")
    p.add_argument("--shot")
    p.add_argument("--home")
    p.set_defaults(func=cmd_jobs)

    p = sub.add_parser("versions", help="list, approve, reject, replay or diff versions")
    p.add_argument("action", choices=["list", "approve", "reject", "replay", "diff"])
    p.add_argument("shot")
    p.add_argument("number", type=int, nargs="?", default=0)
    p.add_argument("other", type=int, nargs="?", default=0, help="second version for diff")
    p.add_argument("--label", default="gen")
    p.add_argument("--note", default="")
    p.add_argument("--root", default="")
    p.add_argument("--wait", action="store_true")
    p.add_argument("--home")
    p.set_defaults(func=cmd_versions)

    try:
        from .edit.commands import add_commands
    except ImportError:  # the edit package is optional for a bare agent install
        add_commands = None
    if add_commands is not None:
        add_commands(sub)

    p = sub.add_parser("demo", help="the sample edit out and back (README's first command)")
    p.add_argument("--out", default="shotloop-demo")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ui", help="open the ShotLoop panel standalone")
    p.add_argument("--home")
    p.add_argument("--cut")
    p.set_defaults(func=cmd_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["refservice"]:  # its own options, passed through untouched
        from shotloop_refservice.server import main as refservice_main

        return int(refservice_main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # pyblish lowers the root logger to DEBUG while a plugin runs (to capture its records),
    # from whichever thread runs it: filter on the handlers so the console stays quiet.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    try:
        return int(args.func(args) or 0)
    except ShotLoopError as err:
        _print(f"shotloop: {err.message}", sys.stderr)
        for sub_err in getattr(err, "errors", []):
            _print(f"  - {sub_err.message}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
