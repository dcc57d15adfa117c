"""Garbage in, EditInvalid out: the readers (and the shot listing after them) never raise
anything else, whatever the EDL, OTIO JSON or XML says."""
import json

import opentimelineio as otio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentimelineio.opentime import RationalTime as RT

from shotloop.edit.read import read_cut_string
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import EditInvalid

from .conftest import movie_clip
from .test_read import EDL_24, FCP7

FUZZ = settings(max_examples=3000, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def read_or_refuse(text: str, adapter: str, rate: float | None = 24) -> None:
    try:
        cut = read_cut_string(text, adapter, rate=rate, name=f"fuzz.{adapter}")
    except EditInvalid as err:
        assert err.problem and err.fix
        return
    try:
        shots_from_cut(cut)
    except EditInvalid as err:
        assert err.problem


digits2 = st.integers(0, 99).map(lambda n: f"{n:02d}")
timecode = st.builds(lambda h, m, s, f, sep: f"{h}:{m}:{s}{sep}{f}", digits2, digits2, digits2, digits2,
                     st.sampled_from([":", ";", "."]))
event = st.builds(
    lambda n, reel, ch, kind, dur, tcs: f"{n:03d}  {reel} {ch}     {kind} {dur} " + " ".join(tcs),
    st.integers(0, 999), st.sampled_from(["A001", "AX", "BL", "BARS", "X" * 12, "r"]),
    st.sampled_from(["V", "A", "A2", "B", "AA/V", "?"]), st.sampled_from(["C", "D", "W001", "K B", "K"]),
    st.sampled_from(["", "012", "000", "-5", "abc"]), st.lists(timecode, min_size=0, max_size=5))
comment = st.builds(lambda k, v: f"* {k} {v}", st.sampled_from(
    ["FROM CLIP NAME:", "FROM CLIP:", "TO CLIP:", "TO CLIP NAME:", "LOC:", "M2", "SHOTLOOP", "ASC_SOP", "FROM FILE:"]),
    st.text(max_size=30))
edl_line = st.one_of(event, comment, st.sampled_from(["TITLE: x", "FCM: DROP FRAME", "FCM: NON-DROP FRAME", ""]),
                     st.text(max_size=40))


@FUZZ
@given(st.lists(edl_line, max_size=12), st.sampled_from([24, 25, 29.97, 23.976, 30, 60, 12]))
def test_edl_shaped_garbage(lines, rate):
    read_or_refuse("\n".join(lines), "cmx_3600", rate)


@FUZZ
@given(st.text(max_size=400))
def test_edl_text_garbage(text):
    read_or_refuse(text, "cmx_3600")


@FUZZ
@given(st.integers(0, len(EDL_24) - 1), st.integers(1, 40), st.text(max_size=20))
def test_edl_mutations(at, length, insert):
    read_or_refuse(EDL_24[:at] + insert + EDL_24[at + length:], "cmx_3600")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["OTIO_SCHEMA", "name", "tracks", "children", "source_range", "metadata",
                         "global_start_time", "media_references", "active_media_reference_key",
                         "rate", "value", "kind", "duration", "start_time", "x"]), children, max_size=5),
    max_leaves=20)


@FUZZ
@given(json_values)
def test_otio_json_garbage(value):
    read_or_refuse(json.dumps(value), "otio_json")


def _valid_otio() -> dict:
    tl = otio.schema.Timeline(name="t", global_start_time=RT(86400, 24))
    tl.tracks.append(otio.schema.Track(children=[
        movie_clip("sh010", "/a.mov", (1001, 10), (1001, 20)),
        otio.schema.Transition(in_offset=RT(2, 24), out_offset=RT(2, 24)),
        movie_clip("sh020", "/b.mov", (0, 10), None), otio.schema.Gap(duration=RT(3, 24))]))
    return json.loads(otio.adapters.write_to_string(tl, "otio_json"))


VALID = _valid_otio()


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(VALID) if p]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_otio_json_mutations(changes):
    data = json.loads(json.dumps(VALID))
    for path, value in changes:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    read_or_refuse(json.dumps(data), "otio_json")


@FUZZ
@given(st.integers(0, len(FCP7) - 1), st.integers(1, 30), st.text(max_size=10))
def test_fcp_xml_mutations(at, length, insert):
    read_or_refuse(FCP7[:at] + insert + FCP7[at + length:], "fcp_xml")
