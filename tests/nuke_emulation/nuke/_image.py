"""Formats, ranges, metadata and pixels flowing through the emulated node graph.

Pixel maths covers the node classes the emulation knows (Read, Constant, Switch, Dissolve,
Merge2, Group/Input/Output); any other class passes input 0 through unchanged.
"""
from __future__ import annotations

from typing import Any

from . import _media
from ._session import SESSION


def upstream(node: Any) -> Any:
    """The node whose image/format/range ``node`` passes on (None for sources)."""
    cls = node._class
    if cls == "Input":
        group = node._parent
        if group is None or isinstance(group, type(SESSION.root)):
            return None
        return group.input(node["number"]._value)
    if cls == "Group":
        out = node.output()
        return out.input(0) if out is not None else None
    if cls in ("Read", "Constant", "Root"):
        return None
    if cls in ("Switch", "Dissolve"):
        count = node.inputs()
        if count == 0:
            return None
        which = node["which"].value()
        index = int(round(which)) if cls == "Dissolve" else int(which)
        return node.input(min(max(index, 0), count - 1))
    return node.input(0)


def read_path(node: Any) -> str:
    """The Read's file, TCL expanded; relative paths resolve against the project directory."""
    import os

    path = node["file"].getValue()
    if path and not os.path.isabs(path):
        project = SESSION.root["project_directory"].evaluate()
        if project:
            path = os.path.join(project, path)
    return path


def node_format(node: Any) -> Any:
    if node._class == "Root":
        return node["format"]._value
    if node._class == "Read":
        info = _media.lookup(read_path(node)) if read_path(node) else None
        return info["format"] if info is not None else node["format"]._value
    if node._class == "Constant":
        return node["format"]._value
    source = upstream(node)
    return node_format(source) if source is not None else SESSION.root["format"]._value


def node_range(node: Any) -> tuple[int, int]:
    if node._class == "Read":
        return int(node["first"]._value), int(node["last"]._value)
    source = upstream(node)
    if source is None:
        root = SESSION.root
        return int(root["first_frame"]._value), int(root["last_frame"]._value)
    return node_range(source)


def node_metadata(node: Any) -> dict[str, Any]:
    if node._class == "Read":
        info = _media.lookup(read_path(node)) if read_path(node) else None
        return dict(info["metadata"]) if info is not None else {}
    source = upstream(node)
    return node_metadata(source) if source is not None else {}


def _file_frame(node: Any, frame: int) -> int:
    first, last = int(node["first"]._value), int(node["last"]._value)
    mode = node["frame_mode"]._value
    offset_text = node["frame"]._value.strip()
    if mode == "start at" and offset_text:
        frame = frame - int(float(offset_text)) + first
    elif mode == "offset" and offset_text:
        frame = frame - int(float(offset_text))
    return min(max(frame, first), last)


def pixels(node: Any, frame: int) -> Any:
    """The node's RGBA image at ``frame`` as a float32 array (height, width, 4)."""
    import numpy as np

    fmt = node_format(node)
    cls = node._class
    if cls == "Read":
        return _read_pixels(node, frame, fmt)
    if cls == "Constant":
        color = np.array(node["color"]._value, dtype=np.float32)
        return np.broadcast_to(color, (fmt.height(), fmt.width(), 4)).copy()
    if cls == "Merge2":
        return _merge(node, frame, fmt)
    if cls == "Dissolve" and node.inputs() > 1:
        which = float(node["which"].value())
        lo = int(which)
        a = _input_pixels(node, min(lo, node.inputs() - 1), frame, fmt)
        b = _input_pixels(node, min(lo + 1, node.inputs() - 1), frame, fmt)
        t = which - lo
        return a * (1 - t) + b * t
    source = upstream(node)
    if source is None:
        return np.zeros((fmt.height(), fmt.width(), 4), dtype=np.float32)
    return pixels(source, frame)


def _input_pixels(node: Any, index: int, frame: int, fmt: Any) -> Any:
    import numpy as np

    source = node.input(index)
    if source is None:
        return np.zeros((fmt.height(), fmt.width(), 4), dtype=np.float32)
    return _fit(pixels(source, frame), fmt)


def _fit(image: Any, fmt: Any) -> Any:
    import numpy as np

    h, w = fmt.height(), fmt.width()
    if image.shape[:2] == (h, w):
        return image
    out = np.zeros((h, w, 4), dtype=np.float32)
    hh, ww = min(h, image.shape[0]), min(w, image.shape[1])
    out[:hh, :ww] = image[:hh, :ww]
    return out


def _merge(node: Any, frame: int, fmt: Any) -> Any:
    import numpy as np

    b = _input_pixels(node, 0, frame, fmt)
    if node.input(1) is None:
        return b
    a = _input_pixels(node, 1, frame, fmt)
    op = node["operation"]._value
    results = {
        "over": lambda: a + b * (1.0 - a[..., 3:4]),
        "plus": lambda: a + b,
        "from": lambda: b - a,
        "minus": lambda: a - b,
        "difference": lambda: np.abs(a - b),
        "multiply": lambda: a * b,
        "max": lambda: np.maximum(a, b),
        "min": lambda: np.minimum(a, b),
        "copy": lambda: a,
    }
    result = results[op]()
    mix = float(node["mix"].value())
    return b * (1.0 - mix) + result * mix


def _read_pixels(node: Any, frame: int, fmt: Any) -> Any:
    import numpy as np
    import OpenImageIO as oiio

    path = read_path(node)
    blank = np.zeros((fmt.height(), fmt.width(), 4), dtype=np.float32)
    if not path:
        return blank
    file = _media.frame_path(path, _file_frame(node, frame))
    buf = oiio.ImageBuf(file)
    if buf.has_error:
        if node["on_error"]._value == "error":
            raise RuntimeError(f"{node.name()}: cannot read {file}")
        return blank
    data = buf.get_pixels(oiio.FLOAT)
    channels = data.shape[2]
    out = np.zeros((data.shape[0], data.shape[1], 4), dtype=np.float32)
    out[..., :min(channels, 4)] = data[..., :4]
    if channels == 3:
        out[..., 3] = 1.0
    return out
