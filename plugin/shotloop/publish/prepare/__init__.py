"""The agent's prepare pass: plate → what the generation service takes."""
from __future__ import annotations

from .collect_job import CollectJob
from .extract_inputs import ExtractInputs
from .validate_plate import ValidatePlate


def prepare_plugins() -> list[type]:
    return [CollectJob, ValidatePlate, ExtractInputs]
