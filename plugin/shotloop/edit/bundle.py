"""A self-contained .otioz: the timeline plus every take's media, packed by ShotLoop.

The otioz adapter in opentimelineio 0.18.1 copies only each clip's *active* reference,
only ExternalReferences, and leaves ImageSequenceReferences untouched (not copied, URL
unchanged). A review timeline's point is its inactive takes and its EXR sequences, so
ShotLoop packs the bundle itself, in the same layout the adapter reads
(``version.txt``, ``content.otio``, ``media/...``), relinking every reference of every clip
(active or not) to ``media/``. ``otio.adapters.read_from_file`` opens the result; with
``extract_to_directory`` its media resolve.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
from opentimelineio.adapters import file_bundle_utils

from ..errors import EditInvalid
from . import urls

__all__ = ["BundleReport", "write_bundle"]

log = logging.getLogger(__name__)

MEDIA = file_bundle_utils.BUNDLE_DIR_NAME


@dataclass(frozen=True)
class BundleReport:
    path: Path
    files: int
    bytes: int
    missing: tuple[str, ...] = ()  # media that was referenced but not found (kept as is)


class _Packer:
    """Decides where each source file goes inside the bundle (unique names)."""

    def __init__(self) -> None:
        self.by_source: dict[str, str] = {}
        self.taken: dict[str, str] = {}

    def folder_for(self, sources: list[str]) -> str:
        """A media folder where none of ``sources``' basenames clash with other files."""
        n = 0
        while True:
            folder = MEDIA if n == 0 else f"{MEDIA}/{n}"
            if all(self.taken.get(f"{folder}/{os.path.basename(s)}", s) == s for s in sources):
                for s in sources:
                    arc = f"{folder}/{os.path.basename(s)}"
                    self.taken[arc] = s
                    self.by_source.setdefault(s, arc)
                return folder
            n += 1


def write_bundle(timeline: otio.schema.Timeline, path: str | Path, *,
                 media_root: str | Path | None = None, include_frames: bool = True,
                 overwrite: bool = False, strict: bool = False) -> BundleReport:
    """Write ``timeline`` and its media to ``path`` (.otioz).

    Relative media paths resolve against ``media_root``. Missing media stay referenced
    by their original URL and are listed in the report (``strict`` makes them an error).
    ``include_frames=False`` packs movies only and leaves EXR sequences referenced where
    they are.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise EditInvalid(f"{path} exists", field="output",
                          fix="choose another name or pass overwrite")
    content = timeline.deepcopy()
    packer = _Packer()
    missing: list[str] = []
    for clip in content.find_clips():
        for key, ref in clip.media_references().items():
            if isinstance(ref, otio.schema.ImageSequenceReference):
                if include_frames:
                    _pack_sequence(ref, packer, media_root, missing)
            elif isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
                _pack_file(ref, packer, media_root, missing)
    if missing and strict:
        raise EditInvalid(f"{len(missing)} media file(s) not found, e.g. {missing[0]}",
                          field="media", fix="publish or restore the media, or write a non-strict bundle")
    for item in sorted(set(missing)):
        log.warning("bundle %s: media not found, left referenced: %s", path.name, item)
    text = otio.adapters.write_to_string(content, "otio_json")
    total = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, mode="w") as bundle:
            bundle.writestr(file_bundle_utils.BUNDLE_VERSION_FILE,
                            file_bundle_utils.BUNDLE_VERSION, compress_type=zipfile.ZIP_DEFLATED)
            bundle.writestr(file_bundle_utils.BUNDLE_PLAYLIST_PATH, text,
                            compress_type=zipfile.ZIP_DEFLATED)
            for arc, source in sorted(packer.taken.items()):
                bundle.write(source, arc, compress_type=zipfile.ZIP_STORED)
                total += os.path.getsize(source)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return BundleReport(path, len(packer.taken), total, tuple(sorted(set(missing))))


def _pack_file(ref: otio.schema.ExternalReference, packer: _Packer,
               root: str | Path | None, missing: list[str]) -> None:
    local = urls.local_path(ref.target_url, root)
    if local is None or not os.path.isfile(local):
        missing.append(local or ref.target_url)
        return
    source = os.path.realpath(local)
    if source not in packer.by_source:
        packer.folder_for([source])
    ref.target_url = urls.path_to_url(packer.by_source[source])


def _pack_sequence(ref: otio.schema.ImageSequenceReference, packer: _Packer,
                   root: str | Path | None, missing: list[str]) -> None:
    folder = urls.local_path(ref.target_url_base, root)
    frame = re.compile(re.escape(ref.name_prefix) + r"(\d+)" + re.escape(ref.name_suffix) + "$")
    try:
        names = sorted(n for n in os.listdir(folder) if frame.match(n)) if folder else []
    except OSError:
        names = []
    if not names:
        missing.append(ref.abstract_target_url("#" * max(ref.frame_zero_padding, 1)))
        return
    sources = [os.path.realpath(os.path.join(folder, n)) for n in names]
    known = {packer.by_source.get(s) for s in sources}
    if None in known:
        target = packer.folder_for(sources)
    else:  # already packed for another reference
        target = os.path.dirname(next(iter(known)))
    ref.target_url_base = urls.join_url_dir(urls.path_to_url(target))
