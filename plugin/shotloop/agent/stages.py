"""The media-side stages of a job, run through ShotLoop's pyblish passes.

``prepare`` makes the inputs (keyframes or a proxy); ``ingest`` turns a verified download
into a published version with its provenance. Both run on the agent's worker threads.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from .. import __version__, model
from ..model import Job, Version
from ..publish.ingest import ingest_plugins
from ..publish.prepare import prepare_plugins
from ..publish.run import ValidationFailed, new_context, run_pass
from .resources import Resources


@dataclass(frozen=True)
class Prepared:
    inputs: Mapping[str, Path]
    steps: list[Mapping[str, Any]]


def _run_single(context: Any, plugins: list[type]) -> None:
    """Run a pass over one job; a single validation problem is raised as itself."""
    try:
        run_pass(context, plugins)
    except ValidationFailed as failed:
        if len(failed.errors) == 1:
            raise failed.errors[0] from None
        raise


def prepare(job: Job, res: Resources) -> Prepared:
    context = new_context(job=job, work_dir=res.work_dir(job.job_id),
                          ocio_config=job.shot.ocio_config or res.ocio_config)
    _run_single(context, prepare_plugins())
    instance = context[0]
    return Prepared(inputs=dict(instance.data["inputs"]), steps=list(instance.data["input_steps"]))


def ingest(job: Job, clip: Path, res: Resources, *, progress: Callable[[float], None],
           cancel: threading.Event) -> Version:
    store = res.store(job.store_root)
    shot, label = job.shot.name, job.recipe.label
    number = store.reserve(shot, label, job.job_id)
    existing = store.version_of_job(shot, label, job.job_id)
    if existing is not None:  # the agent stopped between the rename and the ledger commit
        return existing
    staging = store.staging(shot, label, number)
    provider = res.provider(job.profile)
    started = time.time()

    def provenance(conformed: Any) -> dict:
        from ..store.provenance import build_provenance

        download = job.details.get("download", {})
        return build_provenance(
            job=job, version_number=number, request_body=job.details.get("request", {}),
            endpoint_url=f"{provider.profile.base_url}/v1/{job.recipe.endpoint.value}",
            task_id=job.remote_task_id, output_url=download.get("url", ""),
            download_sha256=download.get("sha256", ""),
            conform_steps=list(conformed.steps), keyframe_steps=list(job.details.get("input_steps", [])),
            source_plate=plate_record(job),
            times={"created": job.created_at, "submitted": job.details.get("submitted_at"),
                   "downloaded": job.details.get("downloaded_at"), "ingest_started": started,
                   "published": time.time()},
            credits=job.credits, shotloop_version=__version__,
        )

    context = new_context(job=job, clip=clip, number=number, staging=staging, store=store,
                          ocio_config=job.shot.ocio_config or res.ocio_config, progress=progress, cancel=cancel,
                          provenance=provenance)
    try:
        _run_single(context, ingest_plugins())
    except BaseException:
        store.discard(staging)
        raise
    return context[0].data["version"]


def plate_record(job: Job) -> dict:
    """The source plate as provenance records it: path, range, colour space, content hash."""
    from ..sequence import frame_path

    shot = job.shot
    digest = hashlib.sha256()
    for frame in (shot.frame_range.first, shot.frame_range.last):
        path = frame_path(shot.source, frame)
        if path.is_file():
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
    return {"path": shot.source, "frame_range": [shot.frame_range.first, shot.frame_range.last],
            "fps": shot.fps, "resolution": [shot.resolution.width, shot.resolution.height],
            "colorspace": shot.colorspace, "content_hash": f"sha256:{digest.hexdigest()}",
            "hashed_frames": "first+last"}


def edit_payload(job: Job) -> dict | None:
    """The shot's edit context (with its OTIO snippet) for services that accept it."""
    if job.edit is None:
        return None
    from ..edit.request import context_payload

    return context_payload(job.edit)


def download_intact(job: Job) -> bool:
    info = job.details.get("download") or {}
    path = Path(info.get("path", ""))
    if not info or not path.is_file():
        return False
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == info.get("sha256")


_FIXES = (
    ("SAFETY.INPUT", "the service's moderation refused an input: change the prompt or the keyframes; "
                     "it will not be retried automatically"),
    ("SAFETY.OUTPUT", "the service's moderation refused the result: change the prompt or the seed"),
    ("INPUT_PREPROCESSING.SAFETY", "the prompt was refused by moderation: rephrase it"),
    ("INTERNAL.BAD_OUTPUT", "the service rejected its own output (often text or graphics on the "
                            "input image): change the keyframe or the seed, then retry"),
    ("ASSET.INVALID", "an input broke the model's limits (size, duration or resolution): check "
                      "the keyframes or proxy, then retry"),
    ("THIRD_PARTY", "the model's vendor is down: retry later or pick another model"),
    ("INTERNAL", "the service failed internally: retry the job"),
    ("INPUT_PREPROCESSING.INTERNAL", "the moderation step failed: retry the job later"),
)


def failure_fix(code: str | None) -> str:
    for prefix, fix in _FIXES:
        if code and code.startswith(prefix):
            return fix
    return "retry the job; if it keeps failing, change the recipe"


def version_dict(version: Version) -> dict:
    return model.to_dict(version)
