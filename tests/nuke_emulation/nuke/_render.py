"""``nuke.execute`` for Write nodes: really writes frames with OpenImageIO (A5, B9)."""
from __future__ import annotations

import os
import time
from typing import Any

from . import _callbacks, _image, _media
from ._session import SESSION, emit, require_main
from ._values import FrameRanges

_COMPRESSION = {"none": "none", "Zip (1 scanline)": "zips", "Zip (16 scanlines)": "zip",
                "PIZ Wavelet (32 scanlines)": "piz"}
_NUKE_DEFAULT_TO_ACES = {"linear": "Linear Rec.709 (sRGB)", "sRGB": "sRGB Encoded Rec.709 (sRGB)"}


def _frames(node: Any, start: Any, end: Any, incr: Any) -> list[int]:
    if isinstance(start, FrameRanges):
        return start.toFrameList()
    if isinstance(start, (list, tuple)):
        return [f for r in start for f in r]
    step = int(incr or 1)
    if start is None:
        if node["use_limit"]._value:
            first, last = int(node["first"]._value), int(node["last"]._value)
        else:
            first, last = SESSION.root.firstFrame(), SESSION.root.lastFrame()
    else:
        first, last = int(start), int(end if end is not None else start)
    return list(range(first, last + 1, step))


def _output_frame(node: Any, frame: int, first: int) -> int:
    mode, text = node["frame_mode"]._value, node["frame"]._value.strip()
    if mode == "offset" and text:
        return frame + int(float(text))
    if mode == "start at" and text:
        return frame - first + int(float(text))
    return frame


def _config() -> tuple[str, dict[str, str]]:
    root = SESSION.root
    if root["colorManagement"]._value != "OCIO" or root["OCIO_config"]._value == "nuke-default":
        return "ocio://default", _NUKE_DEFAULT_TO_ACES
    if root["OCIO_config"]._value == "custom":
        return root["customOCIOConfigPath"].getValue(), {}
    return "ocio://default", {}


def _convert(buf: Any, node: Any) -> Any:
    """Working space -> the Write's colour space (no-op for raw, default, or the same space)."""
    import OpenImageIO as oiio

    target = node["colorspace"]._value.split("\t")[0]
    working = SESSION.root["workingSpaceLUT"]._value
    if node["raw"]._value or target in ("default", working):
        return buf
    config, names = _config()
    src, dst = names.get(working, working), names.get(target, target)
    out = oiio.ImageBufAlgo.colorconvert(buf, src, dst, colorconfig=config)
    if out.has_error:
        raise NotImplementedError(f"fake nuke: cannot convert {working} -> {target}: {out.geterror()}")
    return out


def execute(nameOrNode: Any, start: Any = None, end: Any = None, incr: Any = None,  # noqa: N803
            views: Any = None, continueOnError: bool = False) -> None:  # noqa: N803
    require_main("execute")
    from ._graph import toNode

    node = toNode(nameOrNode) if isinstance(nameOrNode, str) else nameOrNode
    if node is None:
        raise ValueError(f"{nameOrNode}: no such node")
    if node.Class() != "Write":
        raise RuntimeError(f"{node.name()} cannot be executed")
    if node["disable"]._value:
        raise RuntimeError(f"{node.name()} is disabled")
    if node.input(0) is None:
        raise RuntimeError(f"{node.name()}: input 0 is not connected")
    frames = _frames(node, start, end, incr)
    pattern = node["file"].getValue()
    if not pattern:
        raise RuntimeError(f"{node.name()}: no file name")
    folder = os.path.dirname(_media.frame_path(pattern, frames[0])) or "."
    if not os.path.isdir(folder) and not node["create_directories"]._value:
        raise RuntimeError(f"{node.name()}: cannot write into {folder}: no such directory")
    entry: dict[str, Any] = {"node": node.name(), "frames": frames, "files": [], "modal": SESSION.gui}
    SESSION.render_log.append(entry)
    SESSION.rendering = True
    try:
        _callbacks.run("beforeRenders", node)
        if SESSION.cancel_next_render:
            SESSION.cancel_next_render = False
            raise RuntimeError("Cancelled")
        for index, frame in enumerate(frames):
            SESSION.frame = frame
            _callbacks.run("beforeFrameRenders", node)
            path = _media.frame_path(pattern, _output_frame(node, frame, frames[0]))
            _write_frame(node, frame, path)
            entry["files"].append(path)
            _callbacks.run("afterFrameRenders", node)
            if not SESSION.gui:
                emit(f"Writing {path} took 0.0 seconds ({int(100 * (index + 1) / len(frames))}%)")
        _callbacks.run("afterRenders", node)
    finally:
        SESSION.rendering = False


render = execute


def _write_frame(node: Any, frame: int, path: str) -> None:
    import numpy as np
    import OpenImageIO as oiio

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    pixels = _image.pixels(node.input(0), frame)
    channels = {"rgb": 3, "rgba": 4, "alpha": 1, "all": 4}.get(node["channels"]._value, 4)
    data = np.ascontiguousarray(pixels[..., 3:4] if channels == 1 else pixels[..., :channels])
    half = node["datatype"]._value == "16 bit half"
    spec = oiio.ImageSpec(data.shape[1], data.shape[0], data.shape[2], oiio.HALF if half else oiio.FLOAT)
    if channels == 1:
        spec.channelnames = ("A",)
    spec.attribute("compression", _COMPRESSION.get(node["compression"]._value, "zips"))
    buf = oiio.ImageBuf(spec)
    buf.set_pixels(oiio.ROI(), data)
    buf = _convert(buf, node)
    if not buf.write(path):
        raise RuntimeError(f"{node.name()}: cannot write {path}: {buf.geterror()}")


def executeBackgroundNuke(exe_path: str, nodes: list, frameRanges: Any, views: Any,  # noqa: N802,N803
                          limits: dict | None = None, continueOnError: bool = False,  # noqa: N803
                          flipbookToRun: str = "", flipbookOptions: dict | None = None) -> int:  # noqa: N803
    """Recorded, not run: returns a task id as the real call does."""
    SESSION.background_renders.append({"exe": exe_path, "nodes": [n.name() for n in nodes],
                                       "ranges": str(frameRanges), "time": time.time()})
    return len(SESSION.background_renders)
