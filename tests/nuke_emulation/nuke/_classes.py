"""Per-class knobs and defaults (reference A5/B3, SCAN17) and input counts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import _knobs as k
from ._constants import INVISIBLE
from ._session import SESSION

VARIABLE = 10000  # Switch / Dissolve / Merge2 grow as inputs are connected

NUKE_DEFAULT_SPACES = [
    "linear", "sRGB", "rec709", "Cineon", "Gamma1.8", "Gamma2.2", "Gamma2.4", "Gamma2.6",
    "Panalog", "REDLog", "ViperLog", "AlexaV3LogC", "PLogLin", "SLog", "SLog1", "SLog2",
    "SLog3", "CLog", "Log3G10", "Log3G12", "HybridLogGamma", "Protune", "BT1886", "st2084",
]
ACES_BUILTIN_SPACES = [
    "ACES - ACES2065-1", "ACES - ACEScg", "ACES - ACEScc", "ACES - ACEScct",
    "Utility - Linear - sRGB", "Utility - sRGB - Texture", "Utility - Raw", "Output - sRGB",
    "Output - Rec.709",
]
OCIO_CONFIGS = ["nuke-default", "aces_1.0.1", "aces_1.0.3", "aces_1.1", "aces_1.2", "custom"]


def colorspace_names() -> list[str]:
    """What colour-space knobs offer under the root's current colour management."""
    root = SESSION.root
    if root is None or root["colorManagement"]._value != "OCIO":
        return list(NUKE_DEFAULT_SPACES)
    config = root["OCIO_config"]._value
    if config == "nuke-default":
        return list(NUKE_DEFAULT_SPACES)
    if config == "custom":
        path = root["customOCIOConfigPath"]._value
        if path:
            import OpenImageIO as oiio

            cfg = oiio.ColorConfig(path)
            return list(cfg.getColorSpaceNames())
        return []
    return list(ACES_BUILTIN_SPACES)


class ColorspaceKnob(k.Enumeration_Knob):
    """A colour-space menu whose items follow the root's colour management."""

    def __init__(self, name: str, label: str | None = None, default: str = "default",
                 with_default: bool = True) -> None:
        self._with_default = with_default
        self._fallback = default
        super().__init__(name, label, [])
        self._value = self._default = default

    def values(self) -> list[str]:
        return (["default"] if self._with_default else []) + colorspace_names()

    def _coerce(self, value: Any) -> str:
        self._items = self.values()
        return super()._coerce(value)

    def getValue(self) -> float:  # noqa: N802
        self._items = self.values()
        return super().getValue()

    def _set_quietly(self, value: Any) -> None:
        self._value = str(value)  # loading: keep the name even if the config is not known yet


class ChannelMask_Knob(k.Enumeration_Knob):  # noqa: N801
    def __init__(self, name: str, label: str | None = None, default: str = "rgb") -> None:
        super().__init__(name, label, ["none", "rgb", "rgba", "alpha", "all"])
        self._value = self._default = default


class Color_Knob(k.Knob):  # noqa: N801
    """RGBA colour; ``value()`` gives the four channels as a list (AColor_Knob)."""

    type_id = 19

    def _initial(self) -> list[float]:
        return [0.0, 0.0, 0.0, 0.0]

    def _coerce(self, value: Any) -> list[float]:
        if isinstance(value, (int, float)):
            return [float(value)] * 4
        values = [float(v) for v in value]
        return (values + [values[-1]] * 4)[:4] if len(values) < 4 else values[:4]

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return "{" + " ".join(f"{v:g}" for v in self._value) + "}"

    def _from_text(self, text: str) -> list[float]:
        return [float(v) for v in text.strip("{} ").split()]


def _hidden(knob: k.Knob) -> k.Knob:
    knob.setFlag(INVISIBLE)
    return knob


def _enum(name: str, items: list[str], default: str | None = None) -> k.Enumeration_Knob:
    knob = k.Enumeration_Knob(name, name, items)
    if default is not None:
        knob._value = knob._default = default
    return knob


def _int(name: str, value: int) -> k.Int_Knob:
    knob = k.Int_Knob(name, name)
    knob._value = knob._default = value
    return knob


def _float(name: str, value: float) -> k.Array_Knob:
    knob = k.Array_Knob(name, name)
    knob._value = knob._default = float(value)
    return knob


def _fmt(name: str) -> k.Format_Knob:
    knob = k.Format_Knob(name, name)
    fmt = SESSION.root["format"]._value if SESSION.root is not None else None
    knob._value = knob._default = fmt
    return knob


def common_knobs() -> list[k.Knob]:
    return [
        k.String_Knob("name", "name"),
        k.Multiline_Eval_String_Knob("label", "label"),
        k.ColorChip_Knob("tile_color", "tile color"),
        k.ColorChip_Knob("gl_color", "gl color"),
        k.Boolean_Knob("disable", "disable"),
        _hidden(k.Boolean_Knob("selected", "selected")),
        _hidden(_int("xpos", 0)),
        _hidden(_int("ypos", 0)),
        k.Boolean_Knob("hide_input", "hide input"),
        k.Boolean_Knob("postage_stamp", "postage stamp"),
        k.String_Knob("note_font", "note font", "Verdana"),  # default as observed (unverified)
        _int("note_font_size", 11),  # default as observed (unverified)
        _hidden(k.String_Knob("onCreate")),
        _hidden(k.String_Knob("onDestroy")),
        _hidden(k.String_Knob("knobChanged")),
        _hidden(k.String_Knob("updateUI")),
        _hidden(k.String_Knob("autolabel")),
    ]


def _frame_knobs() -> list[k.Knob]:
    return [_enum("frame_mode", ["expression", "start at", "offset"]), k.String_Knob("frame", "frame")]


def read_knobs() -> list[k.Knob]:
    return [
        k.File_Knob("file", "file"), _fmt("format"),
        _int("first", 1), _int("last", 1), _int("origfirst", 1), _int("origlast", 1),
        _hidden(k.Boolean_Knob("origset", "origset")),
        _enum("before", ["hold", "loop", "bounce", "black"]),
        _enum("after", ["hold", "loop", "bounce", "black"]),
        *_frame_knobs(),
        _enum("on_error", ["error", "black", "checkerboard", "nearest frame"]),
        ColorspaceKnob("colorspace", "colorspace"),
        k.Boolean_Knob("raw", "raw data"), k.Boolean_Knob("premultiplied", "premultiplied"),
        k.Boolean_Knob("auto_alpha", "auto alpha"),
        _enum("file_type", [" ", "exr", "png", "jpeg", "tiff", "dpx", "mov"]),
        _hidden(_float("version", 0.0)), k.Script_Knob("reload", "reload"),
        k.File_Knob("proxy", "proxy"),
        _enum("localizationPolicy", ["fromAutoLocalizePath", "on", "once", "onDemand", "off"]),
    ]


def write_knobs() -> list[k.Knob]:
    return [
        k.File_Knob("file", "file"),
        _enum("file_type", [" ", "exr", "png", "jpeg", "tiff", "dpx", "mov\t\t\tffmpeg"]),
        ChannelMask_Knob("channels", "channels", "rgb"),
        ColorspaceKnob("colorspace", "colorspace"), k.Boolean_Knob("raw", "raw data"),
        k.String_Knob("views", "views", "main"),
        k.Boolean_Knob("create_directories", "create directories"),
        k.Boolean_Knob("use_limit", "limit to range"), _float("first", 1.0), _float("last", 1.0),
        *_frame_knobs(), _float("render_order", 1.0),
        _enum("on_error", ["error", "black", "checkerboard", "read input"]),
        _enum("datatype", ["16 bit half", "32 bit float"]),
        _enum("compression", ["none", "Zip (1 scanline)", "Zip (16 scanlines)", "PIZ Wavelet (32 scanlines)"],
              "Zip (1 scanline)"),
        k.String_Knob("beforeRender"), k.String_Knob("beforeFrameRender"),
        k.String_Knob("afterFrameRender"), k.String_Knob("afterRender"),
        k.PyScript_Knob("Render", "Render", "nuke.execute(nuke.thisNode())"),
    ]


def root_knobs() -> list[k.Knob]:
    fmt = k.Format_Knob("format", "full size format")
    return [
        k.File_Knob("name", "name"), k.String_Knob("project_directory", "project directory"),
        k.Multiline_Eval_String_Knob("label", "comment"),
        _int("first_frame", 1), _int("last_frame", 100), k.Boolean_Knob("lock_range", "lock range"),
        _float("fps", 24.0), fmt, k.Boolean_Knob("proxy", "proxy mode"),
        k.Boolean_Knob("lock_connections", "lock connections"),
        _enum("colorManagement", ["Nuke", "OCIO"]),
        _enum("OCIO_config", OCIO_CONFIGS),
        k.File_Knob("customOCIOConfigPath", "custom OCIO config"),
        ColorspaceKnob("workingSpaceLUT", "working space", "linear", with_default=False),
        k.String_Knob("monitorLut", "monitor", "sRGB"), k.String_Knob("monitorOutLUT", "monitor out", "sRGB"),
        k.String_Knob("int8Lut", "8-bit files", "sRGB"), k.String_Knob("int16Lut", "16-bit files", "sRGB"),
        k.String_Knob("logLut", "log files", "Cineon"), k.String_Knob("floatLut", "float files", "linear"),
        k.String_Knob("views", "views", "main"),
        _hidden(k.String_Knob("onScriptLoad")), _hidden(k.String_Knob("onScriptSave")),
        _hidden(k.String_Knob("onScriptClose")),
        _hidden(k.String_Knob("onCreate")), _hidden(k.String_Knob("onDestroy")),
        _hidden(k.String_Knob("knobChanged")),
    ]


def constant_knobs() -> list[k.Knob]:
    return [ChannelMask_Knob("channels", "channels", "rgba"), Color_Knob("color", "color"), _fmt("format")]


def merge_knobs() -> list[k.Knob]:
    ops = ["over", "plus", "from", "difference", "minus", "multiply", "max", "min", "copy"]
    return [
        _enum("operation", ops, "over"), _enum("bbox", ["union", "intersection", "A", "B"]),
        ChannelMask_Knob("Achannels", "A channels", "rgba"), ChannelMask_Knob("Bchannels", "B channels", "rgba"),
        ChannelMask_Knob("output", "output", "rgba"), ChannelMask_Knob("also_merge", "also merge", "none"),
        _float("mix", 1.0),
    ]


@dataclass(frozen=True)
class ClassSpec:
    max_inputs: int
    knobs: Callable[[], list[k.Knob]]
    common: bool = True


CLASSES: dict[str, ClassSpec] = {
    "Read": ClassSpec(0, read_knobs),
    "Write": ClassSpec(1, write_knobs),
    "Switch": ClassSpec(VARIABLE, lambda: [_float("which", 0.0)]),
    "Dissolve": ClassSpec(VARIABLE, lambda: [_float("which", 0.0), ChannelMask_Knob("channels", "channels", "all")]),
    "Merge2": ClassSpec(VARIABLE, merge_knobs),
    "Constant": ClassSpec(0, constant_knobs),
    "NoOp": ClassSpec(1, lambda: []),
    "Dot": ClassSpec(1, lambda: []),
    "Group": ClassSpec(0, lambda: [k.Boolean_Knob("disable_group_view", "disable group view")]),
    "Input": ClassSpec(0, lambda: [_hidden(_int("number", 0))]),
    "Output": ClassSpec(1, lambda: []),
    "BackdropNode": ClassSpec(0, lambda: [_int("bdwidth", 100), _int("bdheight", 100), _int("z_order", 0)]),
    "Viewer": ClassSpec(10, lambda: [
        k.String_Knob("viewerProcess", "viewer process", "sRGB"), k.String_Knob("frame_range", "frame range"),
        k.Boolean_Knob("frame_range_lock", "lock range")]),
    "Root": ClassSpec(0, root_knobs, common=False),
    "Preferences": ClassSpec(0, lambda: [
        k.String_Knob("name", "name", "preferences"),
        k.String_Knob("UISequenceDisplayMode", "sequence display", "Hashes (#)"),
        k.File_Knob("AutoSaveName", "autosave")], common=False),
    "PanelNode": ClassSpec(0, lambda: [k.String_Knob("name", "name")], common=False),
}
