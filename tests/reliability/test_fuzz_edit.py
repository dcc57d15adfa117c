"""Hypothesis on the cut readers (shotloop.edit.read) and what follows them: whatever the
bytes, the only error out is EditInvalid, the process survives, and an .otioz never
writes outside the folder it is extracted to."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotloop.edit.read import MAX_JSON_DEPTH, read_cut, read_cut_string
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import EditInvalid

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

KEYS = ["OTIO_SCHEMA", "name", "tracks", "children", "source_range", "duration", "start_time",
        "rate", "value", "media_reference", "media_references", "active_media_reference_key",
        "global_start_time", "metadata", "kind", "markers", "effects", "available_range",
        "target_url", "marked_range"]
SCHEMAS = ["Timeline.1", "Stack.1", "Track.1", "Clip.2", "Clip.1", "Gap.1", "TimeRange.1",
           "RationalTime.1", "ExternalReference.1", "ImageSequenceReference.1", "Transition.1",
           "SerializableCollection.1", "Marker.2", "MissingReference.1", "Bogus.9"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**7, 10**7) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5),
    max_leaves=40)


@st.composite
def otio_documents(draw) -> str:
    def schema_everywhere(value):
        if isinstance(value, dict):
            if draw(st.booleans()):
                value["OTIO_SCHEMA"] = draw(st.sampled_from(SCHEMAS))
            return {k: schema_everywhere(v) for k, v in value.items()}
        if isinstance(value, list):
            return [schema_everywhere(v) for v in value]
        return value

    body = schema_everywhere(draw(json_values))
    if not isinstance(body, dict) or draw(st.booleans()):
        body = {"OTIO_SCHEMA": "Timeline.1", "name": "fuzz", "tracks": body}
    text = json.dumps(body)
    if draw(st.integers(0, 9)) == 0:  # sometimes cut short
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _read_then_shots(text: str, adapter: str, **kwargs) -> None:
    try:
        cut = read_cut_string(text, adapter, **kwargs)
        shots_from_cut(cut)
    except EditInvalid as err:
        assert err.field and err.message


@FUZZ
@given(otio_documents())
def test_otio_json_reader_only_raises_edit_invalid(text):
    _read_then_shots(text, "otio_json")


EDL_LINES = ["TITLE: fuzz", "FCM: NON-DROP FRAME", "FCM: DROP FRAME",
             "001  AX       V     C        01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00",
             "002  AX       V     C        00:00:00:00 00:00:00:00 01:00:01:00 01:00:01:00",
             "003  AX       V     D    010 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00",
             "* FROM CLIP NAME: sh010", "* LOC: 01:00:00:05 RED note", "M2   AX       050.0"
             "                01:00:00:00", "", "001  AX  V  C  99:99:99:99 00:00:00:00 a b"]


@FUZZ
@given(st.lists(st.sampled_from(EDL_LINES) | st.text(max_size=60), max_size=12),
       st.sampled_from([24, 23.976, 25, 29.97, 30, 59.94, 0.5, 1000]))
def test_edl_reader_only_raises_edit_invalid(lines, rate):
    _read_then_shots("\n".join(lines), "cmx_3600", rate=rate)


XML_PARTS = ['<?xml version="1.0"?>', '<xmeml version="4">', "</xmeml>", "<sequence>",
             "</sequence>", "<media><video><track>", "</track></video></media>",
             '<clipitem id="a"><name>sh010</name><duration>10</duration><rate><timebase>24'
             "</timebase></rate><start>0</start><end>10</end><in>0</in><out>10</out></clipitem>",
             "<rate><timebase>0</timebase></rate>", "<duration>-5</duration>", "<start>-1</start>",
             '<!DOCTYPE x [<!ENTITY a "aaaa">]>', "&a;",
             '<file id="f"><pathurl>file:///x</pathurl></file>']


@FUZZ
@given(st.lists(st.sampled_from(XML_PARTS) | st.text(max_size=30), max_size=14),
       st.sampled_from(["fcp_xml", "fcpx_xml"]))
def test_xml_readers_only_raise_edit_invalid(parts, adapter):
    _read_then_shots("".join(parts), adapter)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 60000])
def test_json_nested_past_the_limit_is_refused_before_the_otio_reader(depth):
    # 60000 levels kill the process inside OTIO's C++ reader (SIGSEGV) when not refused.
    for text in ("[" * depth + "]" * depth,
                 '{"OTIO_SCHEMA": "Timeline.1", "metadata": ' + '{"a": ' * depth + "1" + "}" * depth + "}"):
        with pytest.raises(EditInvalid) as info:
            read_cut_string(text, "otio_json")
        assert info.value.field == "cut" and "deeper" in info.value.message


def test_json_with_brackets_inside_strings_is_not_mistaken_for_nesting():
    timeline = otio.schema.Timeline(name="[" * 1000 + '"\\' + "{" * 1000)
    timeline.tracks.append(otio.schema.Track(name="V1"))
    cut = read_cut_string(otio.adapters.write_to_string(timeline, "otio_json"), "otio_json")
    assert cut.timeline.name.startswith("[[[")


member_names = st.lists(st.sampled_from(["..", ".", "media", "a", "C:", "/", "\\", "x.exr", "",
                                         "..\\..", "~"]), min_size=1, max_size=6).map("/".join)


@FUZZ
@given(member_names)
def test_otioz_members_never_land_outside_the_extraction_folder(tmp_path_factory, name):
    base = tmp_path_factory.mktemp("otioz")
    bundle = base / "cut.otioz"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("version.txt", "1.0.0")
        archive.writestr("content.otio", otio.adapters.write_to_string(otio.schema.Timeline(), "otio_json"))
        archive.writestr(zipfile.ZipInfo(name or "x"), b"payload")
    bundle.write_bytes(data.getvalue())
    target = base / "out"
    try:
        read_cut(bundle, extract_to=target)
    except EditInvalid as err:
        assert err.field in ("cut", "cut.members")
        assert not target.exists()  # refused before anything was written
    outside = [Path(f, n) for f, _, ns in os.walk(base) for n in ns
               if not Path(f, n).resolve().is_relative_to(target.resolve())]
    assert sorted(p.name for p in outside) == ["cut.otioz"]
