"""Run a pyblish pass with ShotLoop's rule: stop at the first error.

pyblish's default test only stops a run when a validator fails; ShotLoop also stops when a
collector or an extractor fails, so an integrator never runs on half-made data. The first
error is raised as a ShotLoopError (wrapped when a plugin raised something else).
"""
from __future__ import annotations

import logging
import os
from typing import Sequence

import pyblish
import pyblish.api
import pyblish.util

from ..errors import ShotLoopError

log = logging.getLogger(__name__)

FAMILY = "shotloop.shot"


def new_context(**data) -> pyblish.api.Context:
    context = pyblish.api.Context()
    context.data.update(data)
    return context


def add_instance(context: pyblish.api.Context, name: str, **data) -> pyblish.api.Instance:
    instance = context.create_instance(name)
    instance.data.update(family=FAMILY, families=[FAMILY], **data)
    return instance


class ValidationFailed(ShotLoopError):
    """One or more validators failed; ``errors`` holds each one (one per shot and field)."""

    code = "validation_failed"

    def __init__(self, errors: Sequence[ShotLoopError]) -> None:
        self.errors = list(errors)
        lines = "; ".join(e.message for e in self.errors)
        super().__init__(f"{len(self.errors)} problem(s): {lines}")


def _deregister_bundled_plugins() -> None:
    bundled = os.path.normpath(os.path.join(os.path.dirname(pyblish.__file__), "plugins"))
    for path in pyblish.api.registered_paths():
        if os.path.normpath(path) == bundled:
            pyblish.api.deregister_plugin_path(path)


def _is_validator(plugin: type) -> bool:
    return abs(plugin.order - pyblish.api.ValidatorOrder) <= 0.5


def _as_error(result: dict) -> ShotLoopError:
    error = result["error"]
    if isinstance(error, ShotLoopError):
        return error
    plugin = result["plugin"].__name__
    log.error("%s failed", plugin, exc_info=error)
    instance = result.get("instance")
    shot = instance.data.get("shot") if instance is not None else None
    return ShotLoopError(f"{plugin} failed: {error}", shot=getattr(shot, "name", None))


def run_pass(context: pyblish.api.Context, plugins: Sequence[type]) -> pyblish.api.Context:
    """Process ``plugins`` in order over ``context``.

    A collector, extractor or integrator error is raised at once. Validators all run (so a
    person sees every problem of the batch at once), then ``ValidationFailed`` is raised
    before anything is extracted or integrated.
    """
    # Only the plugins we pass run (pyblish discovers nothing when given a list); the
    # bundled demo plugins' path is also dropped, but a studio's own paths are left alone
    # for the other pyblish tools in the same host.
    _deregister_bundled_plugins()
    ordered = sorted(plugins, key=lambda p: p.order)
    failures: list[ShotLoopError] = []
    for result in pyblish.util.publish_iter(context, plugins=ordered):
        plugin = result["plugin"]
        if failures and not _is_validator(plugin):
            break
        if result.get("error") is None:
            continue
        if _is_validator(plugin):
            failures.append(_as_error(result))
            continue
        raise _as_error(result)
    if failures:
        raise ValidationFailed(failures)
    return context
