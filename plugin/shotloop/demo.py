"""``shotloop demo``: a sample edit goes out and comes back as versions and a review timeline.

Everything is made under ``out``: synthetic scene-linear plates, an OTIO cut of three shots,
a private agent (its own home, so a user's agent is never touched) running on the embedded
reference service, the version store, and the review timeline for editorial.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TextIO

import opentimelineio as otio

from .agent.home import AgentHome
from .agent.server import start_agent
from .cli import _print, shortest_duration, watch
from .errors import ShotLoopError
from .model import Endpoint, JobRequest, KeyframeMode, Recipe, ReviewStatus

log = logging.getLogger(__name__)

FPS = 24.0
WIDTH, HEIGHT = 960, 540
SHOTS = (  # name, first frame, last frame, prompt
    ("sh010", 1001, 1036, "slow push in, dusk light, volumetric haze"),
    ("sh020", 1001, 1030, "the bright orb drifts across a stormy sky"),
    ("sh030", 1001, 1040, "wide establishing shot, light rain"),
)


def make_sample_project(out: Path) -> Path:
    """Plates and a cut (``out/cut.otio``) whose clips point at the plates."""
    from .media.synth import write_exr_plate

    timeline = otio.schema.Timeline(name="shotloop_demo_cut")
    timeline.global_start_time = otio.opentime.RationalTime(86400, FPS)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for index, (name, first, last, prompt) in enumerate(SHOTS):
        pattern = write_exr_plate(out / "plates" / name, name, first, last, WIDTH, HEIGHT, seed=index)
        folder, filename = Path(pattern).parent, Path(pattern).name
        ref = otio.schema.ImageSequenceReference(
            target_url_base=folder.as_uri() + "/", name_prefix=filename.split("####")[0],
            name_suffix=filename.split("####")[1], start_frame=first, frame_step=1, rate=FPS,
            frame_zero_padding=4,
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(first, FPS), otio.opentime.RationalTime(last - first + 1, FPS)))
        ref.metadata["shotloop"] = {"colorspace": "ACEScg", "resolution": [WIDTH, HEIGHT]}
        handles = 4
        clip = otio.schema.Clip(
            name=name, media_reference=ref,
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(first + handles, FPS),
                otio.opentime.RationalTime(last - first + 1 - 2 * handles, FPS)))
        clip.markers.append(otio.schema.Marker(
            name="note", marked_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(first + handles, FPS), otio.opentime.RationalTime(1, FPS)),
            metadata={"shotloop": {"note": prompt}}))
        track.append(clip)
    path = out / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def run_demo(out: Path, *, stream: TextIO) -> int:
    from .edit.request import requests_for_cut
    from .edit.review import write_review
    from .publish.send import send

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _print(f"ShotLoop demo in {out}", stream)
    cut = make_sample_project(out)
    _print(f"  sample plates: {out / 'plates'}\n  cut: {cut}", stream)

    root = out / "shotloop"
    home = AgentHome(out / "agent")
    agent = start_agent(home)
    _print(f"  agent: {agent.url} (reference service, no account needed; log {home.log_file})", stream)
    try:
        api = agent.api()

        def recipe_for(shot) -> Recipe:
            return Recipe(model="gen4_turbo", prompt="{prompt}", endpoint=Endpoint.IMAGE_TO_VIDEO,
                          keyframes=KeyframeMode.FIRST, seed=1234, ratio="1280:720",
                          duration=shortest_duration("image_to_video", "gen4_turbo",
                                                     shot.frame_range.count, shot.fps))

        requests: list[JobRequest] = requests_for_cut(cut, recipe_for=recipe_for, store_root=root,
                                                      prompts={n: p for n, _, _, p in SHOTS})
        results = send(requests, api)
        jobs = [r for r in results if not isinstance(r, ShotLoopError)]
        for r in results:
            if isinstance(r, ShotLoopError):
                _print(f"  {r.message}", stream)
        _print(f"  sent {len(jobs)} shot(s); waiting for the service:", stream)
        code = watch(api, [j.job_id for j in jobs], stream=stream)

        versions = {}
        for name, *_ in SHOTS:
            versions[name] = api.versions(name, root=str(root))
        first = versions[SHOTS[0][0]]
        if first:  # an approval travels to editorial as the active take
            api.review(first[-1].shot, first[-1].label, first[-1].number, ReviewStatus.APPROVED,
                       "demo: approved", root=str(root))
            versions[first[-1].shot] = api.versions(first[-1].shot, root=str(root))
        review_files = write_review(cut, versions, out / "review")
        _print("\nPublished versions:", stream)
        for shot_versions in versions.values():
            for v in shot_versions:
                _print(f"  {v.name}: {v.frames} [{v.frame_range}] {v.review.value}", stream)
                _print(f"      movie {v.movie}\n      provenance {Path(v.path) / 'version.json'}", stream)
        _print("\nReview timeline for editorial:", stream)
        for path in review_files:
            _print(f"  {path}", stream)
        return code
    finally:
        agent.stop()
