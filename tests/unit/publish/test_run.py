"""ShotLoop's pyblish rule: stop at the first error; an integrator never runs after one."""
import pyblish.api
import pytest

from shotloop.errors import IngestFailed, PlateInvalid
from shotloop.publish.run import ValidationFailed, add_instance, new_context, run_pass


def _plugins(calls, *, fail_at=None, error=PlateInvalid):
    def make(name, order):
        class Plugin(pyblish.api.InstancePlugin):
            families = ["shotloop.shot"]

            def process(self, instance):
                calls.append((name, instance.name))
                if name == fail_at and instance.name == "sh010":
                    raise error("broken", shot=instance.name, field=name)

        Plugin.__name__ = name
        Plugin.order = order
        return Plugin

    class Collect(pyblish.api.ContextPlugin):
        order = pyblish.api.CollectorOrder

        def process(self, context):
            calls.append(("collect", ""))
            for shot in ("sh010", "sh020"):
                add_instance(context, shot)

    return [Collect, make("validate_a", pyblish.api.ValidatorOrder),
            make("validate_b", pyblish.api.ValidatorOrder + 0.1),
            make("extract", pyblish.api.ExtractorOrder), make("integrate", pyblish.api.IntegratorOrder)]


def test_all_plugins_run_when_nothing_fails():
    calls = []
    run_pass(new_context(), _plugins(calls))
    assert ("integrate", "sh010") in calls and ("integrate", "sh020") in calls


def test_a_failed_validation_reports_every_problem_and_never_extracts():
    calls = []
    with pytest.raises(ValidationFailed) as info:
        run_pass(new_context(), _plugins(calls, fail_at="validate_a"))
    assert [e.field for e in info.value.errors] == ["validate_a"]
    assert ("validate_b", "sh020") in calls  # validators still ran for the batch
    assert not [c for c in calls if c[0] in ("extract", "integrate")]


def test_a_failed_extraction_stops_before_the_integrator():
    calls = []
    with pytest.raises(IngestFailed, match="sh010: extract broken"):
        run_pass(new_context(), _plugins(calls, fail_at="extract", error=IngestFailed))
    assert not [c for c in calls if c[0] == "integrate"]


def test_bundled_demo_plugins_never_run_and_studio_paths_stay(tmp_path):
    pyblish.api.register_plugin_path(str(tmp_path))
    try:
        run_pass(new_context(), [])
        assert pyblish.api.registered_paths() == [str(tmp_path)]
    finally:
        pyblish.api.deregister_plugin_path(str(tmp_path))
