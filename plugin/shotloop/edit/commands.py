"""``shotloop edit ...``: the cut from the command line.

``add_commands(sub)`` adds an ``edit`` group to an argparse subparsers object::

    shotloop edit shots CUT [--rate FPS] [--handles N] [--json]
    shotloop edit match CUT --plates PLATES.json [--json]
    shotloop edit requests CUT [--shots A,B] [--model M] [--prompt TEXT]   (prints, sends nothing)
    shotloop edit review CUT --versions VERSIONS.json --out REVIEW.otio|.otioz|.edl|.xml
    shotloop edit changes REVIEW [--versions VERSIONS.json] [--json]

Each subcommand sets ``func(args, out=None) -> int`` on the namespace. Handlers raise
``ShotLoopError`` for problems a person can fix; ``run()`` prints those as one line.
Versions come from ``--versions`` (a JSON list of ``model.to_dict(Version)``) or from
the ``versions`` callable the caller passes (the store). Sending is ``shotloop send
--cut``, which builds its requests with ``requests_from_cut``.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TextIO

from ..codec import to_data
from ..errors import EditInvalid, ShotLoopError
from ..model import Endpoint, JobRequest, KeyframeMode, Recipe, Shot, Version, from_dict, to_dict
from .export import write_timeline
from .match import match_shots
from .read import read_cut
from .request import requests_for_cut
from .review import build_review, build_takes_layout
from .roundtrip import read_review_changes
from .shots import DEFAULT_HANDLES, CutShot, shots_from_cut

__all__ = ["add_commands", "run", "shots_data", "requests_from_cut", "VersionsFor"]

log = logging.getLogger(__name__)

VersionsFor = Callable[[str], Iterable[Version]]


def add_commands(sub: Any, *, versions: VersionsFor | None = None) -> None:
    """Add the ``edit`` command group to ``sub`` (from ``parser.add_subparsers()``)."""
    edit = sub.add_parser("edit", help="read a cut, send its shots, hand takes back to editorial")
    group = edit.add_subparsers(dest="edit_command", metavar="COMMAND")
    group.required = True

    p = group.add_parser("shots", help="list every shot of a cut")
    _cut_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_shots)

    p = group.add_parser("match", help="match plates (JSON list of shots) to the cut")
    _cut_arguments(p)
    p.add_argument("--plates", type=Path, required=True, help="JSON list of model.Shot")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_match)

    p = group.add_parser("requests", help="print the job requests for shots of a cut (sends nothing)")
    _cut_arguments(p)
    p.add_argument("--shots", help="comma-separated shot names (default: all)")
    p.add_argument("--model", default="gen4_turbo")
    p.add_argument("--endpoint", default=Endpoint.IMAGE_TO_VIDEO.value,
                   choices=[e.value for e in Endpoint])
    p.add_argument("--prompt", default="",
                   help="prompt or template; keys: {markers} {shot} {before} {after} {reel} ...")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--label", default="gen")
    p.add_argument("--keyframes", default=KeyframeMode.FIRST.value,
                   choices=[k.value for k in KeyframeMode])
    p.add_argument("--ratio", default="1280:720")
    p.add_argument("--profile", default="")
    p.add_argument("--root", default="", help="version store root")
    p.set_defaults(func=partial(_cmd_requests, versions=versions))

    p = group.add_parser("review", help="export the review timeline for a cut")
    _cut_arguments(p)
    p.add_argument("--versions", type=Path, help="JSON list of model.Version")
    p.add_argument("--root", type=Path, help="version store root to take the versions from")
    p.add_argument("--out", type=Path, required=True, help=".otio, .otioz, .edl or .xml")
    p.add_argument("--takes-out", type=Path, help="also write the one-track-per-take layout")
    p.add_argument("--prefer", choices=("frames", "movie"), default="frames",
                   help="which reference of the chosen take is active")
    p.add_argument("--no-frames", action="store_true", help=".otioz: pack movies only")
    p.add_argument("--otio-version", help=".otio for an older OpenTimelineIO, e.g. 0.14.0")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=partial(_cmd_review, versions=versions))

    p = group.add_parser("changes", help="what editorial changed in a review timeline")
    p.add_argument("review", type=Path)
    p.add_argument("--rate", type=float, help="frame rate (needed for EDLs)")
    p.add_argument("--versions", type=Path, help="JSON list of model.Version (the ledger's view)")
    p.add_argument("--root", type=Path, help="version store root to compare with")
    p.add_argument("--apply", action="store_true",
                   help="record the changes (review status and notes) through the agent")
    p.add_argument("--extract-to", type=Path, help=".otioz: unpack here so media resolve")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=partial(_cmd_changes, versions=versions))


def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None, *,
        versions: VersionsFor | None = None) -> int:
    """Run ``edit`` commands on their own (``argv`` starts with ``edit``); 0 = success."""
    parser = argparse.ArgumentParser(prog="shotloop")
    add_commands(parser.add_subparsers(dest="command"), versions=versions)
    args = parser.parse_args(list(argv))
    try:
        return args.func(args, out=out)
    except ShotLoopError as exc:
        (err or sys.stderr).write(f"error: {exc.message}\n")
        return 2


def shots_data(cut_path: str, shots: Sequence[CutShot], cut: Any) -> dict[str, Any]:
    """What ``edit shots --json`` prints."""
    listed = []
    for s in shots:
        edit = to_data(s.edit)
        edit.pop("otio_snippet", None)
        edit.pop("timeline", None)
        listed.append({"name": s.name, **edit, "media_exists": s.media_exists,
                       "shotloop_id": s.shotloop_id, "plate_frames": to_data(s.shot.frame_range),
                       "notes": list(s.notes)})
    return {"cut": cut_path, "timeline": cut.name, "adapter": cut.adapter, "rate": cut.rate,
            "drop_frame": cut.drop_frame, "shots": listed}


# --------------------------------------------------------------------------- handlers


def _cut_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("cut", type=Path, help=".otio .otioz .otiod .edl .xml .fcpxml")
    p.add_argument("--rate", type=float, help="frame rate (needed for EDLs)")
    p.add_argument("--handles", type=int, default=DEFAULT_HANDLES, help="frames each side")
    p.add_argument("--shot-pattern", help="regex picking the shot name from clip names")
    p.add_argument("--extract-to", type=Path, help=".otioz: unpack here so media resolve")


def _load(args: argparse.Namespace) -> tuple[Any, list[CutShot]]:
    cut = read_cut(args.cut, rate=args.rate, extract_to=args.extract_to)
    return cut, shots_from_cut(cut, handles=args.handles, shot_pattern=args.shot_pattern)


def _print(out: TextIO | None, data: Any) -> None:
    (out or sys.stdout).write(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _cmd_shots(args: argparse.Namespace, out: TextIO | None = None) -> int:
    cut, shots = _load(args)
    stream = out or sys.stdout
    if args.json:
        _print(stream, shots_data(str(args.cut), shots, cut))
        return 0
    stream.write(f"{cut.name}  {cut.adapter}  {cut.rate:g} fps  {len(shots)} shots\n")
    for s in shots:
        e = s.edit
        stream.write(f"{s.name:<20} {e.track:<6} {e.edit_timecode} {e.edit_range} "
                     f"src {e.source_range} handles {e.handles[0]}/{e.handles[1]}"
                     f"{' (clamped)' if e.handles_clamped else ''}  {e.media or '-'}\n")
    return 0


def _read_json_list(path: Path, field: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EditInvalid(f"{path} cannot be read as JSON: {exc}", field=field,
                          fix="pass a JSON list") from exc
    if isinstance(data, dict):
        data = data.get(field, data.get("items", []))
    if not isinstance(data, list):
        raise EditInvalid(f"{path} holds no list", field=field, fix=f"pass a JSON list of {field}")
    return data


def _load_plates(path: Path) -> list[Shot]:
    try:
        return [from_dict(Shot, d) for d in _read_json_list(path, "plates")]
    except (TypeError, ValueError, KeyError) as exc:
        raise EditInvalid(f"{path}: not a list of shots: {exc}", field="plates",
                          fix="write each plate with shotloop.model.to_dict(Shot)") from exc


def _versions_source(args: argparse.Namespace, versions: VersionsFor | None) -> Any:
    if getattr(args, "root", None):
        from ..store.versions import VersionStore

        store = VersionStore(Path(args.root).resolve())
        return lambda shot: store.versions(shot)
    if getattr(args, "versions", None):
        try:
            return [from_dict(Version, d) for d in _read_json_list(args.versions, "versions")]
        except (TypeError, ValueError, KeyError) as exc:
            raise EditInvalid(f"{args.versions}: not a list of versions: {exc}", field="versions",
                              fix="write each with shotloop.model.to_dict(Version)") from exc
    if versions is None:
        raise EditInvalid("no versions to put in the review", field="versions",
                          fix="pass --versions VERSIONS.json")
    return versions


def _cmd_match(args: argparse.Namespace, out: TextIO | None = None) -> int:
    _cut, shots = _load(args)
    report = match_shots(shots, _load_plates(args.plates))
    if args.json:
        _print(out, report.to_data())
    else:
        (out or sys.stdout).write("\n".join(report.lines()) + "\n")
    return 0 if report.complete else 1


def requests_from_cut(args: argparse.Namespace, *,
                      recipe_for: Callable[[Shot], Recipe],
                      versions: VersionsFor | None = None) -> list[JobRequest]:
    """Job requests for ``args.cut`` (``shotloop send --cut`` and ``edit requests``).

    Reads ``args.cut``, ``args.shots`` (comma-separated), ``args.rate``, ``args.handles``,
    ``args.root``, ``args.profile`` and ``args.duration`` (an explicit duration is kept).
    """
    names = [n.strip() for n in (getattr(args, "shots", None) or "").split(",") if n.strip()]
    return requests_for_cut(
        Path(args.cut), recipe_for=recipe_for, store_root=getattr(args, "root", "") or "",
        shots=names or None, rate=getattr(args, "rate", None),
        handles=getattr(args, "handles", DEFAULT_HANDLES), profile=getattr(args, "profile", ""),
        auto_duration=not getattr(args, "duration", None), neighbour_versions=versions)


def _cmd_requests(args: argparse.Namespace, out: TextIO | None = None, *,
                  versions: VersionsFor | None) -> int:
    def recipe_for(shot: Shot) -> Recipe:
        return Recipe(model=args.model, prompt=args.prompt, endpoint=Endpoint(args.endpoint),
                      keyframes=KeyframeMode(args.keyframes), seed=args.seed, ratio=args.ratio,
                      label=args.label)

    requests = requests_from_cut(args, recipe_for=recipe_for, versions=versions)
    _print(out, [to_dict(r) for r in requests])
    return 0


def _cmd_review(args: argparse.Namespace, out: TextIO | None = None, *,
                versions: VersionsFor | None) -> int:
    cut = read_cut(args.cut, rate=args.rate, extract_to=args.extract_to)
    review = build_review(cut, _versions_source(args, versions), prefer=args.prefer,
                          shot_pattern=args.shot_pattern)
    written = [write_timeline(review, args.out, media_root=cut.media_root,
                              include_frames=not args.no_frames, overwrite=args.overwrite,
                              otio_version=args.otio_version)]
    if args.takes_out:
        layout = build_takes_layout(review, prefer=args.prefer)
        written.append(write_timeline(layout, args.takes_out, media_root=cut.media_root,
                                      include_frames=not args.no_frames, overwrite=args.overwrite))
    _print(out, [{"path": str(r.path), "format": r.format, "clips": r.clips,
                  "media_files": r.media_files, "missing": list(r.missing)} for r in written])
    return 0


def _cmd_changes(args: argparse.Namespace, out: TextIO | None = None, *,
                 versions: VersionsFor | None) -> int:
    known: Any = versions
    if args.versions or args.root:
        known = _versions_source(args, None)
    changes = read_review_changes(args.review, rate=args.rate, versions=known,
                                  extract_to=args.extract_to)
    if args.json:
        _print(out, [to_data(c) for c in changes])
    else:
        stream = out or sys.stdout
        for c in changes:
            stream.write(f"{c.shot} {c.label} v{c.version:03d} -> {c.status.value}: {c.what}"
                         f"{' — ' + c.note if c.note else ''}\n")
    if args.apply:
        from ..client import AgentAPI

        api = AgentAPI.connect()
        root = str(Path(args.root).resolve()) if args.root else ""
        for c in changes:
            api.review(c.shot, c.label, c.version, c.status, c.note, root=root)
    return 0
