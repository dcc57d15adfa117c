"""The agent's ingest pass: downloaded clip → published, conformed version."""
from __future__ import annotations

from .collect_download import CollectDownload
from .extract_conform import ExtractConform
from .integrate_version import IntegrateVersion
from .validate_output import ValidateOutput


def ingest_plugins() -> list[type]:
    return [CollectDownload, ValidateOutput, ExtractConform, IntegrateVersion]
