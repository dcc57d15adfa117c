"""Bad answers from the outside: a service that returns unexpected JSON, downloads that
are too big, not media or not https, and a disk that fills up while a version is published."""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

from shotloop.errors import (CreateOutcomeUnknown, DownloadFailed, ProviderAuthFailed,
                             ProviderRejected, ProviderUnavailable, PublishFailed)
from shotloop.model import Recipe

from .badinput import BadInput, Workspace
from .hostile import Answer, json_answer

FAKE_KEY_ENV = "SHOTLOOP_BADINPUT_KEY"
FAKE_KEY = "key_" + "5ec7e7" * 21 + "00"  # shaped like a Runway key, never a real one
BODY = {"model": "gen4_turbo", "promptImage": "https://example.com/key.png", "promptText": "orb",
        "ratio": "1280:720", "duration": 5, "seed": 7}
CAP = 64 * 1024


def _hostile_provider(ws: Workspace, **changes: Any):
    from shotloop.providers import load_provider
    from shotloop.settings import Profile

    values: dict[str, Any] = dict(name="hostile", base_url=ws.hostile.url, key=f"env:{FAKE_KEY_ENV}",
                                  retry_attempts=2, retry_base_s=0.01, timeout_s=3.0)
    values.update(changes)
    previous = os.environ.get(FAKE_KEY_ENV)
    os.environ[FAKE_KEY_ENV] = FAKE_KEY
    try:
        return load_provider(Profile(**values))
    finally:
        if previous is None:
            os.environ.pop(FAKE_KEY_ENV, None)
        else:
            os.environ[FAKE_KEY_ENV] = previous


def _no_key_in(err: Exception) -> None:
    if FAKE_KEY in str(err) or FAKE_KEY[4:40] in str(err):
        raise AssertionError("the API key reached an error message")


def _server_case(name: str, method: str, path: str, answer: Answer, error: type, field: str,
                 call: str) -> BadInput:
    shot = "srv010" if call in ("create", "upload") else None

    def attempt(ws: Workspace, folder: Path) -> None:
        ws.hostile.route(method, path, answer)
        provider = _hostile_provider(ws, inline_max_mb=0.0)
        try:
            if call == "create":
                provider.create(Recipe(model="gen4_turbo", prompt="orb", duration=5), BODY, shot=shot)
            elif call == "poll":
                provider.poll("task-0001")
            elif call == "upload":
                key = folder / "key.png"
                key.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2
                                + b"\x08\x02\x00\x00\x00" + b"\x00" * 2000)
                try:
                    provider.upload(key, shot=shot, field="inputs.first")
                finally:
                    key.unlink()
        except Exception as exc:
            _no_key_in(exc)
            raise
        finally:
            provider.close()
            ws.hostile.clear()

    return BadInput(name, "server answers", error, field, shot, attempt)


def _download_case(name: str, answer: Answer, url_path: str = "/_out/take.mp4",
                   url: str = "") -> BadInput:
    def attempt(ws: Workspace, folder: Path) -> None:
        ws.hostile.route("GET", url_path, answer)
        provider = _hostile_provider(ws)
        try:
            provider.fetch(url or f"{ws.hostile.url}{url_path}?_jwt=signed", folder / "output.mp4",
                           max_bytes=CAP)
        finally:
            provider.close()
            ws.hostile.clear()

    return BadInput(name, "downloads", DownloadFailed, "output", None, attempt)


def _endless() -> Iterator[bytes]:
    chunk = b"\x00" * 16384
    for _ in range(64):  # 1 MB, well over the 64 KB cap
        yield chunk


# --------------------------------------------------------------------------- disk full


def _fill_store(ws: Workspace, folder: Path) -> None:
    """On the tiny filesystem: a store holding frames in a reserved version's staging
    folder, and a filler file taking every byte that is left."""
    from shotloop.store.versions import VersionStore

    root = ws.tiny / folder.name
    store = VersionStore(root)
    number = store.reserve("full010", "gen", "job-full")
    staging = store.staging("full010", "gen", number)
    plate = ws.plate()
    for frame in plate.frame_range.frames():
        src = Path(plate.source.replace("####", f"{frame:04d}"))
        shutil.copy(src, staging / f"full010_gen_v{number:03d}.{frame:04d}.exr")
    with (root / "filler").open("wb", buffering=0) as handle:
        for block in (b"\x00" * 4096, b"\x00"):  # big blocks, then the last bytes one by one
            try:
                while handle.write(block):
                    pass
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise


def _publish_on_full_disk(ws: Workspace, folder: Path) -> None:
    from shotloop.store.versions import VersionStore

    root = ws.tiny / folder.name
    store = VersionStore(root)
    (staging,) = list(store.staging_root.iterdir())
    store.publish(staging, "full010", "gen", 1, {
        "job_id": "job-full", "model": "gen4_turbo", "seed": 7,
        "conformed": {"fps": 24.0, "resolution": {"width": 64, "height": 36}, "colorspace": "ACEScg"}})


def _empty_tiny(ws: Workspace, folder: Path) -> None:
    shutil.rmtree(ws.tiny / folder.name, ignore_errors=True)


CASES: list[BadInput] = [
    _server_case("server_create_answer_not_json", "POST", "/v1/image_to_video",
                 Answer(200, b"<html>ok</html>", {"Content-Type": "text/html"}),
                 CreateOutcomeUnknown, "job.remote_task_id", "create"),
    _server_case("server_create_task_id_is_a_path", "POST", "/v1/image_to_video",
                 json_answer({"id": "../../v1/organization"}), CreateOutcomeUnknown,
                 "job.remote_task_id", "create"),
    _server_case("server_create_answer_nested_100000_deep", "POST", "/v1/image_to_video",
                 Answer(200, b"[" * 100000 + b"]" * 100000), CreateOutcomeUnknown,
                 "job.remote_task_id", "create"),
    _server_case("server_rejects_with_garbage_issues", "POST", "/v1/image_to_video",
                 json_answer({"error": 3, "issues": "none"}, 400), ProviderRejected, "request",
                 "create"),
    _server_case("server_echoes_the_api_key", "POST", "/v1/image_to_video",
                 Answer(401, b"bad key: ", {"Content-Type": "text/plain"}, echo_auth=True),
                 ProviderAuthFailed, "key", "create"),
    _server_case("server_task_is_a_list", "GET", "/v1/tasks/*", json_answer([1, 2, 3]),
                 ProviderUnavailable, "task", "poll"),
    _server_case("server_task_is_null", "GET", "/v1/tasks/*", json_answer(None),
                 ProviderUnavailable, "task", "poll"),
    _server_case("server_task_nested_100000_deep", "GET", "/v1/tasks/*",
                 Answer(200, b"{\"a\":" * 100000 + b"1" + b"}" * 100000), ProviderUnavailable,
                 "task", "poll"),
    _server_case("server_upload_slot_incomplete", "POST", "/v1/uploads",
                 json_answer({"uploadUrl": 42, "fields": "x"}), ProviderUnavailable, "inputs",
                 "upload"),
    _server_case("server_upload_slot_off_loopback_http", "POST", "/v1/uploads",
                 json_answer({"uploadUrl": "http://198.51.100.7/upload", "fields": {},
                              "runwayUri": "runway://x"}), ProviderUnavailable, "inputs", "upload"),
    _download_case("download_announced_over_the_cap",
                   Answer(200, b"\x00" * 1024, {"Content-Type": "video/mp4"}, length=CAP * 4)),
    _download_case("download_streamed_over_the_cap",
                   Answer(200, _endless, {"Content-Type": "video/mp4"})),
    _download_case("download_is_html", Answer(200, b"<html>expired</html>",
                                              {"Content-Type": "text/html"})),
    _download_case("download_is_empty", Answer(200, b"", {"Content-Type": "video/mp4"})),
    _download_case("download_not_https", Answer(200, b"x"),
                   url="http://downloads.example.com/take.mp4"),
    _download_case("download_named_to_climb_out",
                   Answer(200, b"<html>", {"Content-Type": "text/html"}),
                   url_path="/_out/../../../etc/passwd"),
    BadInput("disk_full_while_publishing", "disk", PublishFailed, "version.json", "full010",
             _publish_on_full_disk, prepare=_fill_store, needs="tiny", cleanup=_empty_tiny),
]
