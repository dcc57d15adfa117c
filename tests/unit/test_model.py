import json

import pytest

from shotloop import model
from shotloop.model import (EditContext, FrameRange, Job, JobRequest, JobState, Marker, Neighbour,
                            Recipe, Resolution, Shot, TRANSITIONS, Version, rate_fraction)


def _shot(**kw):
    data = dict(name="sh010", source="/plates/sh010.####.exr", frame_range=FrameRange(1001, 1048),
                fps=23.976, resolution=Resolution(1920, 1080))
    data.update(kw)
    return Shot(**data)


def test_job_round_trips_through_json_with_schema_tag():
    edit = EditContext(timeline="cut", track="V1", clip="sh010", rate=24.0,
                       edit_range=FrameRange(0, 47), source_range=FrameRange(1001, 1048),
                       neighbours=(Neighbour("sh020", FrameRange(48, 90), "/p/sh020.mov", "after"),),
                       markers=(Marker("note", 10, "make it rain", "RED"),))
    job = Job("j1", _shot(), Recipe("gen4_turbo", "a cat", seed=7, options={"retime": True}),
              edit=edit, state=JobState.RUNNING, details={"request": {"seed": 7}})
    text = model.to_json(job)
    assert json.loads(text)["schema"] == "shotloop.job/1"
    assert model.from_json(Job, text) == job


def test_from_dict_refuses_other_types_and_newer_schemas():
    data = model.to_dict(_shot())
    with pytest.raises(ValueError, match="expected shotloop.job"):
        model.from_dict(Job, data)
    data["schema"] = "shotloop.shot/99"
    with pytest.raises(ValueError, match="newer"):
        model.from_dict(Shot, data)


def test_values_are_frozen():
    shot = _shot()
    with pytest.raises(AttributeError):
        shot.name = "other"  # type: ignore[misc]


def test_frame_range_rules():
    r = FrameRange(1001, 1048)
    assert r.count == 48 and r.grow(8, 8) == FrameRange(993, 1056)
    with pytest.raises(ValueError):
        FrameRange(10, 9)


def test_ntsc_rates_are_exact():
    assert rate_fraction(23.976) == rate_fraction(24000 / 1001)
    assert rate_fraction(23.976).denominator == 1001
    assert rate_fraction(25.0) == 25


def test_every_non_final_state_can_fail_or_cancel():
    for state in JobState:
        if not state.final:
            assert JobState.CANCELLED in TRANSITIONS[state]
    assert TRANSITIONS[JobState.PUBLISHED] == frozenset()


def test_version_and_request_round_trip():
    v = Version("sh010", "gen", 3, "/r/sh010/gen/v003", "/r/sh010/gen/v003/sh010_gen_v003.####.exr",
                FrameRange(1001, 1048), 24.0, Resolution(1920, 1080))
    assert v.name == "sh010_gen_v003"
    assert model.from_json(Version, model.to_json(v)) == v
    req = JobRequest(_shot(), Recipe("gen4_turbo"), store_root="/r")
    assert model.from_json(JobRequest, model.to_json(req)) == req


def test_shotloop_options_never_reach_the_provider():
    recipe = Recipe("gen4.5", "x", options={"retime": True, "continuity": [], "outputFormat": "prores"})
    assert recipe.provider_options == {"outputFormat": "prores"}
