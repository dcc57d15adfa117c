"""The `shotloop` command against the running agent: send, jobs, versions, edit round trip."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import opentimelineio as otio

from shotloop.cli import main
from shotloop.model import ReviewStatus

from .test_loop import make_shot


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def test_send_watch_list_approve_diff_and_editorial_round_trip(agent, tmp_path):
    shot = make_shot(tmp_path, "c010")
    root = tmp_path / "shotloop"
    common = ["--plate", shot.source, "--name", "c010", "--first", "1001", "--last", "1024",
              "--width", "320", "--height", "180", "--root", str(root), "--model", "gen4_turbo",
              "--prompt", "orb", "--wait"]
    code, text = run("send", *common, "--seed", "1")
    assert code == 0, text
    assert "PUBLISHED" in text and "v001" in text
    code, text = run("send", *common, "--seed", "2")
    assert code == 0, text

    code, text = run("versions", "list", "c010", "--root", str(root))
    assert code == 0 and "c010_gen_v001" in text and "c010_gen_v002" in text
    code, text = run("versions", "diff", "c010", "1", "2", "--root", str(root))
    assert code == 0 and "seed: 1 -> 2" in text.replace("'", "")

    # Editorial gets the review timeline, picks v001 as the active take and sends it back.
    cut = tmp_path / "cut.otio"
    timeline = otio.schema.Timeline(name="cut")
    track = otio.schema.Track(name="V1")
    timeline.tracks.append(track)
    track.append(otio.schema.Clip(
        name="c010", media_reference=otio.schema.ExternalReference(target_url=Path(shot.source).as_uri()),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(1001, 24),
                                             otio.opentime.RationalTime(24, 24))))
    otio.adapters.write_to_file(timeline, str(cut))
    review = tmp_path / "review.otio"
    code, text = run("edit", "review", str(cut), "--root", str(root), "--out", str(review))
    assert code == 0, text
    back = otio.adapters.read_from_file(str(review))
    (clip,) = back.find_clips()
    assert clip.active_media_reference_key.startswith("c010_gen_v002")  # newest is active
    clip.active_media_reference_key = next(k for k in clip.media_references() if k.startswith("c010_gen_v001"))
    otio.adapters.write_to_file(back, str(review))
    code, text = run("edit", "changes", str(review), "--root", str(root), "--apply")
    assert code == 0, text
    (v1,) = [v for v in agent.api.versions("c010", root=str(root)) if v.number == 1]
    assert v1.review is ReviewStatus.APPROVED
    doc = json.loads((root / "c010/gen/v001/version.json").read_text())
    assert doc["review"]["status"] == "approved"


def test_errors_are_one_line_naming_shot_and_field(agent, tmp_path):
    shot = make_shot(tmp_path, "c020")
    code, text = run("send", "--plate", shot.source, "--name", "c020", "--first", "1001", "--last", "1030",
                     "--width", "320", "--height", "180", "--root", str(tmp_path), "--ratio", "999:1")
    assert code == 2
    assert "c020: recipe.ratio 999:1 is not a ratio of gen4_turbo" in text
    assert "missing" in text and "c020: shot.source" in text  # frames 1025-1030 do not exist
    assert "Traceback" not in text


def test_a_shot_from_a_cut_carries_its_edit_context_to_the_reference_service(agent, refservice, tmp_path):
    names = ("x010", "x020", "x030")
    shots = {n: make_shot(tmp_path, n) for n in names}
    timeline = otio.schema.Timeline(name="ctx_cut")
    track = otio.schema.Track(name="V1")
    timeline.tracks.append(track)
    for name in names:
        track.append(otio.schema.Clip(
            name=name, media_reference=otio.schema.ExternalReference(target_url=Path(shots[name].source).as_uri()),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(1005, 24),
                                                 otio.opentime.RationalTime(16, 24))))
    cut = tmp_path / "ctx_cut.otio"
    otio.adapters.write_to_file(timeline, str(cut))
    code, text = run("send", "--cut", str(cut), "--shots", "x020", "--handles", "4", "--width", "320",
                     "--height", "180", "--root", str(tmp_path / "shotloop"), "--prompt", "orb", "--wait")
    assert code == 0, text
    (create,) = [r for r in refservice.requests(path="/v1/image_to_video", method="POST")
                 if "x020" in json.dumps(r.get("body", {}).get("shotloopContext", {}))]
    context = create["body"]["shotloopContext"]
    assert context["edit"]["clip"] == "x020" and context["edit"]["handles"] == [4, 4]
    assert {n["name"] for n in context["edit"]["neighbours"]} == {"x010", "x030"}
    # The inspection journal shortens long strings: the snippet itself is an OTIO timeline.
    assert context["otio"].startswith('{"OTIO_SCHEMA":"Timeline.1"')
