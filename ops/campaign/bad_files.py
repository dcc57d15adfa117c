"""Bad files: keyframes that are not images or are absurdly large, and cuts (OTIO, EDL,
FCP XML, FCPXML, .otioz bundles) that are unreadable or hostile."""
from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

from shotloop.errors import EditInvalid, RecipeInvalid
from shotloop.model import Recipe
from shotloop.providers import runway_models as rm

from .badinput import BadInput, Workspace

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_header(width: int, height: int) -> bytes:
    return PNG_SIGNATURE + b"\x00\x00\x00\rIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") \
        + b"\x08\x02\x00\x00\x00" + b"\x00" * 4


# --------------------------------------------------------------------------- keyframes


def _provider(ws: Workspace):
    from shotloop.providers import load_provider
    from shotloop.settings import Profile

    return load_provider(Profile(name="badinput", base_url=ws.service.url, key="dev"))


def _keyframe_case(name: str, write) -> BadInput:
    """``write(path)`` makes the keyframe; the provider must refuse it before any upload."""

    def prepare(ws: Workspace, folder: Path) -> None:
        write(folder / "key.png")

    def attempt(ws: Workspace, folder: Path) -> None:
        provider = _provider(ws)
        try:
            recipe = Recipe(model="gen4_turbo", prompt="orb", duration=5)
            provider.validate(recipe, {"first": folder / "key.png"}, shot="key010")
            provider.upload(folder / "key.png", shot="key010", field="inputs.first")
        finally:
            provider.close()

    return BadInput(name, "keyframes", RecipeInvalid, "inputs.first", "key010", attempt,
                    prepare=prepare)


def _huge_file(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: costs no disk, still over the upload cap
        handle.write(_png_header(1280, 720))
        handle.truncate(rm.UPLOAD_MAX_BYTES + 1)


# --------------------------------------------------------------------------- cuts


def _cut_case(name: str, filename: str, content: bytes | str | None, field: str,
              *, rate: float | None = None, extract: bool = False, needs: str = "") -> BadInput:
    """A cut file ``filename`` holding ``content`` (None: the file is not there)."""

    def prepare(ws: Workspace, folder: Path) -> None:
        if content is None:
            return
        data = content.encode() if isinstance(content, str) else content
        (folder / filename).write_bytes(data)

    def attempt(ws: Workspace, folder: Path) -> None:
        from shotloop.edit.read import read_cut

        where = (ws.tiny / name) if needs == "tiny" else folder
        read_cut(folder / filename, rate=rate, extract_to=(where / "media") if extract else None)

    return BadInput(name, "cuts", EditInvalid, field, None, attempt, prepare=prepare, needs=needs)


def _otio(tracks: object) -> str:
    return json.dumps({"OTIO_SCHEMA": "Timeline.1", "name": "cut", "tracks": tracks})


_CLIP_WITHOUT_LENGTH = _otio({"OTIO_SCHEMA": "Stack.1", "children": [
    {"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": [
        {"OTIO_SCHEMA": "Clip.2", "name": "sh010", "source_range": None,
         "media_references": {"DEFAULT_MEDIA": {"OTIO_SCHEMA": "MissingReference.1"}},
         "active_media_reference_key": "DEFAULT_MEDIA"}]}]})
_DEEP = "[" * 60000 + "]" * 60000
_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
           + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
           + ']><xmeml version="4"><sequence><name>&j;</name></sequence></xmeml>')
_EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
             '<xmeml version="4"><sequence><name>&e;</name><rate><timebase>24</timebase></rate>'
             '<media><video><track></track></video></media></sequence></xmeml>')
_EDL_EVENT = "001  AX       V     C        {} 01:00:01:00 01:00:00:00 01:00:01:00\n"


def _bundle(members: list[tuple[str, bytes]], symlink: str = "") -> bytes:
    """An .otioz with a valid content.otio plus ``members`` (and a symlink member)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("version.txt", "1.0.0")
        bundle.writestr("content.otio", _otio({"OTIO_SCHEMA": "Stack.1", "children": []}))
        for name, data in members:
            info = zipfile.ZipInfo(name)
            bundle.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        if symlink:
            info = zipfile.ZipInfo("media/link")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, symlink)
    return buffer.getvalue()


CASES: list[BadInput] = [
    _keyframe_case("keyframe_is_text", lambda p: p.write_text("<html>not a picture</html>" * 40)),
    _keyframe_case("keyframe_is_a_gif", lambda p: p.write_bytes(b"GIF89a" + b"\x00" * 2000)),
    _keyframe_case("keyframe_is_empty", lambda p: p.write_bytes(b"")),
    _keyframe_case("keyframe_is_missing", lambda p: None),
    _keyframe_case("keyframe_claims_100000_pixels_a_side",
                   lambda p: p.write_bytes(_png_header(100000, 100000) + b"\x00" * 2000)),
    _keyframe_case("keyframe_over_the_upload_cap", _huge_file),
    _cut_case("cut_of_unknown_format", "cut.mov", b"\x00\x00\x00\x18ftypqt  ", "cut"),
    _cut_case("cut_missing", "cut.otio", None, "cut"),
    _cut_case("otio_not_json", "cut.otio", "{this is not json", "cut"),
    _cut_case("otio_tracks_null", "cut.otio", _otio(None), "tracks"),
    _cut_case("otio_clip_without_a_length", "cut.otio", _CLIP_WITHOUT_LENGTH, "source_range"),
    _cut_case("otio_nested_to_crash_the_reader", "cut.otio", _DEEP, "cut"),
    _cut_case("otio_not_a_timeline", "cut.otio", '{"OTIO_SCHEMA": "Bogus.1"}', "cut"),
    _cut_case("edl_without_a_rate", "cut.edl", "TITLE: cut\n" + _EDL_EVENT.format("01:00:00:00"),
              "rate"),
    _cut_case("edl_timecode_past_the_rate", "cut.edl",
              "TITLE: cut\n" + _EDL_EVENT.format("01:00:00:30"), "rate", rate=24),
    _cut_case("edl_garbage_event", "cut.edl",
              "TITLE: cut\n001 AX V C 01:00:00:00 xx:yy 01:00:00:00 01:00:01:00\n", "cut", rate=24),
    _cut_case("fcp_xml_not_xml", "cut.xml", "<xmeml><<<", "cut"),
    _cut_case("fcp_xml_billion_laughs", "cut.xml", _LAUGHS, "cut"),
    _cut_case("fcp_xml_external_entity", "cut.xml", _EXTERNAL, "cut"),
    _cut_case("fcpxml_truncated", "cut.fcpxml", "<fcpxml version='1.9'><resources>", "cut"),
    _cut_case("otioz_not_a_zip", "cut.otioz", b"PK\x03\x04 not really", "cut", extract=True),
    _cut_case("otioz_member_climbs_out", "cut.otioz",
              _bundle([("media/../../escaped.txt", b"gotcha")]), "cut.members", extract=True),
    _cut_case("otioz_member_absolute", "cut.otioz",
              _bundle([("/tmp/shotloop_escaped.txt", b"gotcha")]), "cut.members", extract=True),
    _cut_case("otioz_member_windows_drive", "cut.otioz",
              _bundle([("C:\\Windows\\escaped.txt", b"gotcha")]), "cut.members", extract=True),
    _cut_case("otioz_member_symlink", "cut.otioz", _bundle([], symlink="/etc"), "cut.members",
              extract=True),
    _cut_case("otioz_bigger_than_the_disk", "cut.otioz",
              _bundle([("media/zeros.bin", b"\x00" * (8 << 20))]), "cut.members", extract=True,
              needs="tiny"),
]
