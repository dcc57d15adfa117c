"""The ``shotloop edit`` CLI: JSON of every shot, review export, changes, requests, match."""
import io
import json

import opentimelineio as otio

from shotloop import cli
from shotloop.edit.commands import run
from shotloop.model import FrameRange, Resolution, Shot, to_dict

from .test_read import EDL_24


def test_shots_json(tmp_path):
    path = tmp_path / "cut.edl"
    path.write_text(EDL_24)
    out = io.StringIO()
    assert run(["edit", "shots", str(path), "--rate", "24", "--handles", "10", "--json"], out) == 0
    data = json.loads(out.getvalue())
    assert (data["timeline"], data["adapter"], data["rate"], data["drop_frame"]) == ("seq_v003", "cmx_3600", 24.0, False)
    first = data["shots"][0]
    assert first == {
        "name": "sh010_plate_v001", "track": "V", "clip": "sh010_plate_v001", "rate": 24.0,
        "edit_range": {"first": 86400, "last": 86447}, "source_range": {"first": 86640, "last": 86687},
        "handles": [10, 10], "handles_requested": [10, 10], "handles_clamped": False,
        "transition_frames": [0, 0], "edit_timecode": "01:00:00:00", "source_timecode": "01:00:10:00",
        "reel": "A001C003", "media": str(tmp_path / "plates" / "sh010 plate.mov"), "media_exists": False,
        "neighbours": [{"name": "sh020_comp", "edit_range": {"first": 86448, "last": 86483},
                        "media": "/show/comp/sh020/sh020_comp.####.exr", "side": "after"}],
        "markers": [{"name": "check edge", "frame": 86424, "note": "", "color": "RED"}],
        "shotloop_id": "", "plate_frames": {"first": 86640, "last": 86687},
        "notes": [f"media not found: {tmp_path / 'plates' / 'sh010 plate.mov'}"],
    }
    assert [s["name"] for s in data["shots"]] == ["sh010_plate_v001", "sh020_comp", "sh030_plate"]
    assert data["shots"][1]["handles"] == [10, 22]  # + the dissolve's 12


def test_shots_through_the_shotloop_command(tmp_path, capsys):
    path = tmp_path / "cut.edl"
    path.write_text(EDL_24)
    assert cli.main(["edit", "shots", str(path), "--rate", "24"]) == 0
    text = capsys.readouterr().out
    assert "seq_v003" in text and "sh020_comp" in text and "01:00:03:12" in text
    path.write_text(EDL_24.replace("02:00:00:00 02:00:01:12", "02:00:00:00 02:00:01:24"))
    assert cli.main(["edit", "shots", str(path), "--rate", "24"]) == 2  # explained, no traceback
    err = capsys.readouterr().err
    assert "Fix:" in err and "Traceback" not in err


def test_wrong_rate_is_one_line(tmp_path):
    path = tmp_path / "cut.edl"
    path.write_text(EDL_24)
    err = io.StringIO()
    assert run(["edit", "shots", str(path)], io.StringIO(), err) == 2
    assert err.getvalue().count("\n") == 1 and "--rate" in err.getvalue()


def test_review_changes_requests_and_match(review_case, tmp_path):
    cut_path, versions = review_case
    listing = tmp_path / "versions.json"
    listing.write_text(json.dumps([to_dict(v) for v in versions]))
    out = io.StringIO()
    review = tmp_path / "out" / "review.otioz"
    review.parent.mkdir()
    assert run(["edit", "review", str(cut_path), "--versions", str(listing), "--out", str(review),
                "--takes-out", str(tmp_path / "out" / "takes.otio")], out) == 0
    written = json.loads(out.getvalue())
    assert [w["format"] for w in written] == ["otioz", "otio"] and written[0]["media_files"] > 200

    edited = tmp_path / "out" / "edited.otio"
    tl = otio.adapters.read_from_file(str(review))
    tl.find_clips()[1].active_media_reference_key = "sh020_gen_v001"
    otio.adapters.write_to_file(tl, str(edited))
    out = io.StringIO()
    assert run(["edit", "changes", str(edited), "--json"], out) == 0
    assert json.loads(out.getvalue()) == [{
        "shot": "sh020", "label": "gen", "version": 1, "status": "approved", "note": "",
        "what": "editorial made sh020_gen_v001 the active take (was sh020_gen_v002)"}]

    out = io.StringIO()
    assert run(["edit", "requests", str(cut_path), "--shots", "sh010", "--prompt", "rain {markers}",
                "--model", "veo3.1"], out) == 0
    (request,) = json.loads(out.getvalue())
    assert request["shot"]["name"] == "sh010" and request["shot"]["frame_range"] == {"first": 1001, "last": 1064}
    assert request["recipe"]["duration"] == 4 and request["recipe"]["prompt"] == "rain check edge"
    assert request["edit"]["edit_timecode"] == "01:00:00:00"

    plates = tmp_path / "plates.json"
    plates.write_text(json.dumps([to_dict(Shot("sh010", "/x.mov", FrameRange(1, 2), 24.0, Resolution(4, 2)))]))
    out = io.StringIO()
    assert run(["edit", "match", str(cut_path), "--plates", str(plates), "--json"], out) == 1
    report = json.loads(out.getvalue())
    assert report["matches"][0]["by"] == "name" and report["unmatched_cut"] == ["sh020", "sh030"]
