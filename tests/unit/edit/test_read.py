"""Reading cuts: EDL at several rates (incl. 23.976 and 29.97 drop frame), FCP 7 XML,
FCPX XML, .otio/.otiod/.otioz; mismatches explained as EditInvalid."""
from pathlib import Path

import opentimelineio as otio
import pytest
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR

from shotloop.edit.read import read_cut, read_cut_string
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import EditInvalid

from .conftest import movie_clip

EDL_24 = """TITLE: seq_v003
FCM: NON-DROP FRAME

001  A001C003 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME:  sh010_plate_v001
* FROM CLIP: plates/sh010 plate.mov
* LOC: 01:00:11:00 RED     check edge
* COMMENT: keep the flare

002  A002C010 V     C        02:00:00:00 02:00:01:12 01:00:02:00 01:00:03:12
* FROM CLIP NAME:  sh020_comp
* FROM CLIP: /show/comp/sh020/sh020_comp.[1001-1100].exr

003  A002C010 V     C        02:00:01:12 02:00:01:12 01:00:03:12 01:00:03:12
003  B005C001 V     D    012 05:00:00:00 05:00:02:00 01:00:03:12 01:00:05:12
* FROM CLIP NAME:  sh030_plate
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_edl_at_24_frame_exact(tmp_path):
    cut = read_cut(write(tmp_path, "cut.edl", EDL_24), rate=24)
    assert (cut.adapter, cut.rate, cut.drop_frame, cut.name) == ("cmx_3600", 24.0, False, "seq_v003")
    assert cut.timeline.global_start_time == RT(86400, 24)  # normalised from the track offset
    shots = shots_from_cut(cut)
    assert [s.name for s in shots] == ["sh010_plate_v001", "sh020_comp", "sh030_plate"]
    sh010, sh020, sh030 = (s.edit for s in shots)
    assert (sh010.edit_range.first, sh010.edit_range.last, sh010.edit_timecode) == (86400, 86447, "01:00:00:00")
    assert (sh010.source_range.first, sh010.source_range.count, sh010.source_timecode) == (86640, 48, "01:00:10:00")
    assert sh010.media == str(tmp_path / "plates" / "sh010 plate.mov")  # resolved against the EDL's folder
    assert sh010.reel == "A001C003"
    assert [(m.name, m.frame) for m in sh010.markers] == [("check edge", 86424)]
    assert (sh020.edit_timecode, sh020.edit_range.count) == ("01:00:02:00", 36)
    assert sh020.media == "/show/comp/sh020/sh020_comp.####.exr"
    assert shots[1].shot.frame_range.first == 1001  # plate frame numbers for sequences
    assert sh020.transition_frames == (0, 12)  # the dissolve needs 12 more frames of sh020
    assert (sh030.edit_timecode, sh030.edit_range.count, sh030.media) == ("01:00:03:12", 48, "")


def test_edl_at_25(tmp_path):
    text = EDL_24.replace("02:00:01:12", "02:00:01:24") \
                 .replace("01:00:03:12", "01:00:03:24").replace("01:00:05:12", "01:00:05:24")
    cut = read_cut(write(tmp_path, "cut25.edl", text), rate=25)
    shots = shots_from_cut(cut)
    assert cut.timeline.global_start_time == RT(90000, 25)
    assert [(s.edit.edit_range.first, s.edit.edit_range.count) for s in shots] == \
        [(90000, 50), (90050, 49), (90099, 50)]
    assert shots[0].edit.source_range.first == 90000 + 250


def test_edl_frames_beyond_the_rate_are_explained(tmp_path):
    text = EDL_24.replace("02:00:00:00 02:00:01:12", "02:00:00:00 02:00:01:24")
    with pytest.raises(EditInvalid) as err:
        read_cut(write(tmp_path, "cut.edl", text), rate=24)
    e = err.value
    assert e.field == "rate" and e.shot == "sh020_comp" and "cut.edl" in e.problem
    assert "frame 24" in e.problem and "--rate 25" in e.fix


def test_edl_needs_a_rate(tmp_path):
    with pytest.raises(EditInvalid) as err:
        read_cut(write(tmp_path, "cut.edl", EDL_24))
    assert err.value.field == "rate" and "--rate" in err.value.fix


def test_edl_duration_mismatch_is_explained(tmp_path):
    text = EDL_24.replace("01:00:00:00 01:00:02:00", "01:00:00:00 01:00:02:05").replace(
        "01:00:02:00 01:00:03:12", "01:00:02:05 01:00:03:17")
    with pytest.raises(EditInvalid) as err:
        read_cut(write(tmp_path, "cut.edl", text), rate=24)
    assert "rate" in err.value.fix and err.value.shot == "sh010_plate_v001"


EDL_NTSC = """TITLE: ntsc
FCM: NON-DROP FRAME

001  A001 V     C        00:00:10:00 00:00:11:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME:  sh010
002  A002 V     C        00:00:20:00 00:00:20:12 01:00:01:00 01:00:01:12
* FROM CLIP NAME:  sh020
"""


def test_edl_at_23976(tmp_path):
    cut = read_cut(write(tmp_path, "ntsc.edl", EDL_NTSC), rate=23.976)
    assert cut.rate == pytest.approx(24000 / 1001, abs=1e-12)
    shots = shots_from_cut(cut)
    assert [(s.edit.edit_range.first, s.edit.edit_range.count) for s in shots] == [(86400, 24), (86424, 12)]
    assert [s.edit.source_timecode for s in shots] == ["00:00:10:00", "00:00:20:00"]
    assert shots[1].edit.edit_timecode == "01:00:01:00"


EDL_DF = """TITLE: df
FCM: DROP FRAME

001  A001 V     C        00:00:59;28 00:01:00;06 01:00:00;00 01:00:00;06
* FROM CLIP NAME:  sh010
002  A002 V     C        00:09:59;28 00:10:00;04 01:00:00;06 01:00:00;12
* FROM CLIP NAME:  sh020
"""


@pytest.mark.parametrize("separator", [";", ":"])
def test_edl_at_2997_drop_frame(tmp_path, separator):
    # FCM: DROP FRAME governs even when an EDL writes ':' separators.
    cut = read_cut(write(tmp_path, "df.edl", EDL_DF.replace(";", separator)), rate=29.97)
    assert cut.drop_frame is True
    shots = shots_from_cut(cut)
    sh010, sh020 = (s.edit for s in shots)
    # 00:00:59;28 is frame 1798; minute 1 has no ;00 and ;01, so ;06 is 6 frames on.
    assert (sh010.source_range.first, sh010.source_range.count) == (1798, 6)
    assert sh010.source_timecode == "00:00:59;28" and sh010.edit_timecode == "01:00:00;00"
    # 10-minute boundary: no frames dropped there.
    assert (sh020.source_range.first, sh020.source_range.count) == (17980, 6)
    assert sh020.edit_range.first == 107892 + 6


def test_drop_frame_timecode_at_a_non_drop_rate_is_explained(tmp_path):
    with pytest.raises(EditInvalid) as err:
        read_cut(write(tmp_path, "df.edl", EDL_DF), rate=25)
    assert "29.97" in err.value.fix and err.value.shot == "sh010"


FCP7 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xmeml>
<xmeml version="5"><sequence id="seq-1"><name>seq_v003</name><duration>96</duration>
 <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
 <timecode><rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
  <string>01:00:00:00</string><frame>86400</frame><displayformat>NDF</displayformat></timecode>
 <media><video><track>
  <clipitem id="clipitem-1"><name>sh010</name><duration>120</duration>
   <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
   <start>0</start><end>48</end><in>8</in><out>56</out>
   <file id="file-1"><name>sh010_plate_v001.mov</name>
    <pathurl>file:///show/plates/sh010/sh010_plate_v001.mov</pathurl>
    <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate><duration>120</duration>
    <timecode><rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
     <string>01:00:10:00</string><frame>86640</frame><displayformat>NDF</displayformat>
     <reel><name>A001C003</name></reel></timecode></file>
   <marker><name>check edge</name><comment>soft matte</comment><in>12</in><out>-1</out></marker>
  </clipitem>
  <clipitem id="clipitem-2"><name>sh020</name><duration>100</duration>
   <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
   <start>48</start><end>96</end><in>0</in><out>48</out>
   <file id="file-2"><name>sh020 comp v002.mov</name>
    <pathurl>file://localhost/show/comp/sh020/sh020%20comp%20v002.mov</pathurl>
    <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate><duration>100</duration></file>
  </clipitem>
 </track></video>
 <audio><track><clipitem id="a1"><name>dialogue</name><duration>96</duration>
   <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>
   <start>0</start><end>96</end><in>0</in><out>96</out>
   <file id="file-a1"><name>dialogue.wav</name><pathurl>file:///show/audio/dialogue.wav</pathurl>
    <rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate><duration>96</duration></file>
   </clipitem></track></audio>
 </media></sequence></xmeml>"""


def test_fcp7_xml(tmp_path):
    cut = read_cut(write(tmp_path, "cut.xml", FCP7))
    assert (cut.adapter, cut.rate) == ("fcp_xml", 24.0)
    shots = shots_from_cut(cut, handles=10)
    assert [s.name for s in shots] == ["sh010", "sh020"]  # the audio track is ignored
    sh010, sh020 = (s.edit for s in shots)
    assert (sh010.edit_range.first, sh010.edit_range.last) == (86400, 86447)
    assert (sh010.source_range.first, sh010.source_timecode) == (86648, "01:00:10:08")
    assert sh010.reel == "A001C003"
    assert sh010.handles == (8, 10) and sh010.handles_clamped  # media starts 8 frames before
    # The marker counts from the media start (12) → media time 86652 → record 86404.
    assert [(m.name, m.frame, m.note) for m in sh010.markers] == [("check edge", 86404, "soft matte")]
    assert sh020.media == "/show/comp/sh020/sh020 comp v002.mov"
    assert (sh020.edit_timecode, sh020.source_range.first) == ("01:00:02:00", 0)
    assert sh020.handles == (0, 10)


FCPX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.8">
  <resources>
    <format id="r1" frameDuration="1/24s" width="1920" height="1080"/>
    <asset id="r2" name="sh010" src="file:///show/plates/sh010.mov" start="0s" duration="10s"
           hasVideo="1" format="r1"/>
    <asset id="r3" name="sh020" src="file:///show/plates/sh020.mov" start="0s" duration="10s"
           hasVideo="1" format="r1"/>
  </resources>
  <library><event name="ev"><project name="fcpx_cut"><sequence format="r1" duration="5s">
    <spine>
      <asset-clip name="sh010" ref="r2" offset="0s" start="1s" duration="2s" format="r1">
        <marker start="2s" duration="1/24s" value="flicker"/>
      </asset-clip>
      <gap name="Gap" offset="2s" start="0s" duration="1s"/>
      <asset-clip name="sh020" ref="r3" offset="3s" start="0s" duration="2s" format="r1"/>
    </spine>
  </sequence></project></event></library>
</fcpxml>"""


def test_fcpx_xml(tmp_path):
    cut = read_cut(write(tmp_path, "cut.fcpxml", FCPX))
    assert cut.adapter == "fcpx_xml"
    shots = shots_from_cut(cut, handles=4)
    assert [(s.name, s.edit.edit_range.first, s.edit.edit_range.count) for s in shots] == \
        [("sh010", 0, 48), ("sh020", 72, 48)]  # the 1 s gap sits between them
    assert shots[0].edit.source_range.first == 24
    assert [(m.name, m.frame) for m in shots[0].edit.markers] == [("flicker", 24)]
    assert shots[0].edit.media == "/show/plates/sh010.mov"
    assert [n.name for n in shots[0].edit.neighbours] == ["sh020"]  # the gap is skipped


def cut_with_everything(tmp_path: Path) -> otio.schema.Timeline:
    """V1: sh010, dissolve, sh020, gap, sh030 (missing media); V2: an overlay; audio."""
    plate = tmp_path / "plates" / "sh010.mov"
    plate.parent.mkdir(parents=True)
    plate.write_bytes(b"\0" * 16)
    tl = otio.schema.Timeline(name="edit_v001", global_start_time=RT(86400, 24))
    v1 = otio.schema.Track(name="V1")
    sh010 = movie_clip("sh010", "plates/sh010.mov", (1009, 48), (1001, 120))
    sh010.markers.append(otio.schema.Marker(name="hands melt", marked_range=TR(RT(1020, 24), RT(6, 24)),
                                            color="ORANGE", comment="regen, less motion"))
    v1.extend([
        sh010,
        otio.schema.Transition(in_offset=RT(6, 24), out_offset=RT(6, 24),
                               transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve),
        movie_clip("sh020", "/nowhere/sh020.mov", (1001, 24), (995, 40)),
        otio.schema.Gap(duration=RT(12, 24)),
        otio.schema.Clip(name="sh030", source_range=TR(RT(0, 24), RT(30, 24))),
    ])
    v1.markers.append(otio.schema.Marker(name="reel break", marked_range=TR(RT(50, 24), RT(0, 24))))
    v2 = otio.schema.Track(name="V2", children=[
        otio.schema.Gap(duration=RT(48, 24)),
        movie_clip("sh020_fx", "/nowhere/fx.mov", (0, 24), (0, 24))])
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio,
                              children=[movie_clip("dialogue", "/nowhere/a.wav", (0, 96), None)])
    tl.tracks.extend([v1, v2, audio])
    return tl


@pytest.mark.parametrize("suffix", [".otio", ".otiod"])
def test_otio_and_otiod_with_transitions_gaps_and_missing_media(tmp_path, suffix, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the bundle writer resolves relative media against the cwd
    tl = cut_with_everything(tmp_path)
    path = tmp_path / f"edit{suffix}"
    if suffix == ".otiod":  # the bundle carries only media that exists
        from opentimelineio.adapters.file_bundle_utils import MediaReferencePolicy
        otio.adapters.write_to_file(tl, str(path), media_policy=MediaReferencePolicy.MissingIfNotFile)
    else:
        otio.adapters.write_to_file(tl, str(path))
    cut = read_cut(path)
    shots = {s.name: s for s in shots_from_cut(cut)}
    assert sorted(shots) == ["sh010", "sh020", "sh020_fx", "sh030"]
    assert shots["sh010"].media_exists and Path(shots["sh010"].edit.media).name == "sh010.mov"
    assert shots["sh030"].edit.media == "" and not shots["sh030"].media_exists


def test_otioz_reads_with_media_extracted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tl = cut_with_everything(tmp_path)
    from opentimelineio.adapters.file_bundle_utils import MediaReferencePolicy
    path = tmp_path / "edit.otioz"
    otio.adapters.write_to_file(tl, str(path), media_policy=MediaReferencePolicy.MissingIfNotFile)
    cut = read_cut(path, extract_to=tmp_path / "unpacked")
    sh010 = next(s for s in shots_from_cut(cut) if s.name == "sh010")
    assert sh010.edit.media == str(tmp_path / "unpacked" / "media" / "sh010.mov") and sh010.media_exists


@pytest.mark.parametrize("name, text, words", [
    ("cut.otio", "{not json", "otio_json"),
    ("cut.otio", '{"OTIO_SCHEMA": "Clip.1", "name": "x"}', "not a timeline"),
    ("cut.otio", '{"OTIO_SCHEMA": "Clip.2", "name": "x"}', "media_references"),
    ("cut.xml", "<xmeml><nothing/></xmeml>", "fcp_xml"),
    ("cut.mov", "x", "not a cut format"),
])
def test_broken_files_are_edit_invalid(tmp_path, name, text, words):
    with pytest.raises(EditInvalid) as err:
        read_cut(write(tmp_path, name, text), rate=24)
    assert words in err.value.problem and name in err.value.problem and err.value.fix


def test_missing_file(tmp_path):
    with pytest.raises(EditInvalid):
        read_cut(tmp_path / "nope.edl", rate=24)


def test_misnumbered_dissolve_gives_no_empty_shot():
    # otio-cmx3600-adapter 1.0.0 reads a dissolve whose two lines carry different event
    # numbers as a zero-length clip plus a cut; ShotLoop skips the empty clip.
    text = EDL_24.replace("003  B005C001", "004  B005C001")
    cut = read_cut_string(text, "cmx_3600", rate=24, name="cut.edl")
    assert [s.name for s in shots_from_cut(cut)] == ["sh010_plate_v001", "sh020_comp", "sh030_plate"]
