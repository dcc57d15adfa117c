"""Knob classes with the value semantics of reference/nuke.md A4 (SRC15, SCAN17)."""
from __future__ import annotations

import re
from typing import Any

from . import _tcl
from ._constants import INVISIBLE, NO_ANIMATION, NO_UNDO  # noqa: F401 - re-exported flags
from ._session import SESSION, require_main

_HASHES = re.compile(r"#+")
_PRINTF = re.compile(r"%(0?)(\d*)d")


def _notify(knob: "Knob") -> None:
    from . import _callbacks

    _callbacks.knob_set(knob)


class Knob:
    """Common knob API: name, label, tooltip, flags, visibility, value, script text."""

    type_id = 0

    def __init__(self, name: str, label: str | None = None, *_: Any) -> None:
        if not isinstance(name, str):
            raise TypeError("knob name must be a string")
        self._name = name
        self._label = label
        self._tooltip = ""
        self._flags = 0
        self._visible = True
        self._enabled = True
        self._node: Any = None
        self._expression: str | None = None
        self._value: Any = self._initial()
        self._default: Any = self._value

    # ------------------------------------------------------------------ identity
    def _initial(self) -> Any:
        return ""

    def name(self) -> str:
        return self._name

    def label(self) -> str:
        return self._label or ""

    def setLabel(self, label: str) -> None:  # noqa: N802
        self._label = label

    def tooltip(self) -> str:
        return self._tooltip

    def setTooltip(self, text: str) -> None:  # noqa: N802
        self._tooltip = text

    def Class(self) -> str:  # noqa: N802
        return type(self).__name__

    def node(self) -> Any:
        return self._node

    def fullyQualifiedName(self, channel: int = -1) -> str:  # noqa: N802
        owner = self._node.fullName() if self._node is not None else ""
        return f"{owner}.{self._name}" if owner else self._name

    # ------------------------------------------------------------------ flags
    def setFlag(self, flag: int) -> None:  # noqa: N802
        self._flags |= int(flag)

    def clearFlag(self, flag: int) -> None:  # noqa: N802
        self._flags &= ~int(flag)

    def getFlag(self, flag: int) -> bool:  # noqa: N802
        return bool(self._flags & int(flag))

    def setVisible(self, visible: bool) -> None:  # noqa: N802
        self._visible = bool(visible)

    def visible(self) -> bool:
        return self._visible and not self.getFlag(INVISIBLE)

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802
        self._enabled = bool(enabled)

    def enabled(self) -> bool:
        return self._enabled

    # ------------------------------------------------------------------ values
    def value(self) -> Any:
        require_main(f"{self.Class()}.value")
        return self._value

    def getValue(self) -> Any:  # noqa: N802
        return self.value()

    def _coerce(self, value: Any) -> Any:
        return value

    def setValue(self, value: Any) -> bool:  # noqa: N802
        require_main(f"{self.Class()}.setValue")
        self._value = self._coerce(value)
        _notify(self)
        return True

    def _set_quietly(self, value: Any) -> None:
        """Used by script loading: no callbacks, no modified flag."""
        self._value = self._coerce(value)

    def _is_default(self) -> bool:
        return self._value == self._default and self._expression is None

    def notDefault(self) -> bool:  # noqa: N802
        return not self._is_default()

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return _script_text(self._value)

    def fromScript(self, text: str) -> bool:  # noqa: N802
        self.setValue(self._from_text(text))
        return True

    def _from_text(self, text: str) -> Any:
        return text

    def setExpression(self, expression: str, channel: int = -1, view: Any = None) -> bool:  # noqa: N802
        raise NotImplementedError(f"fake nuke: expressions on {self.Class()} are not emulated")

    def hasExpression(self, index: int = -1) -> bool:  # noqa: N802
        return self._expression is not None

    def isAnimated(self, channel: int = -1, view: Any = None) -> bool:  # noqa: N802
        return False

    def __repr__(self) -> str:
        return f"<{self.Class()} {self.fullyQualifiedName()}>"


def _script_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))
    return str(value)


class String_Knob(Knob):  # noqa: N801 - Nuke's class names
    type_id = 1

    def __init__(self, name: str, label: str | None = None, value: str | None = None) -> None:
        super().__init__(name, label)
        if value is not None:
            self._value = self._default = self._coerce(value)

    def _coerce(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self._name}: setValue expects a str, got {type(value).__name__}")
        return value

    def getText(self) -> str:  # noqa: N802
        return self.value()

    def evaluate(self) -> str:
        return _tcl.expand(self.value(), self._node)


class EvalString_Knob(String_Knob):  # noqa: N801
    type_id = 1


class Multiline_Eval_String_Knob(String_Knob):  # noqa: N801
    type_id = 43


class Password_Knob(String_Knob):  # noqa: N801
    type_id = 1


class File_Knob(String_Knob):  # noqa: N801
    """File paths: ``value()`` reports hash runs in printf form, ``toScript()`` keeps them."""

    type_id = 2

    def value(self) -> str:
        raw = super().value()
        return _HASHES.sub(lambda m: f"%0{len(m.group())}d", raw)

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return self._value

    def getValue(self) -> str:  # noqa: N802
        return _tcl.expand(self.value(), self._node)

    def getEvaluatedValue(self, context: Any = None) -> str:  # noqa: N802
        return self.getValue()

    def evaluate(self, time: float | None = None) -> str:
        frame = int(SESSION.frame if time is None else time)
        text = self.getValue()
        return _PRINTF.sub(lambda m: f"{frame:0{int(m.group(2) or 0)}d}", text)

    def fromUserText(self, text: str) -> None:  # noqa: N802
        """``"path first-last"``: stores the path; on a Read also sets ranges and format."""
        require_main("File_Knob.fromUserText")
        m = re.match(r"^(.*?)\s+(-?\d+)-(-?\d+)\s*$", text)
        path, first, last = (m.group(1), int(m.group(2)), int(m.group(3))) if m else (text.strip(), None, None)
        self.setValue(path)
        node = self._node
        if node is None or node.Class() != "Read" or self._name != "file":
            return
        from . import _media

        media = _media.lookup(path)
        if first is None and media is not None:
            first, last = media["first"], media["last"]
        if first is not None:
            for name, value in (("origfirst", first), ("first", first), ("origlast", last), ("last", last)):
                node[name].setValue(value)
        if media is not None and media.get("format") is not None:
            node["format"].setValue(media["format"])
        node["origset"].setValue(True)


class Int_Knob(Knob):  # noqa: N801
    type_id = 3

    def _initial(self) -> int:
        return 0

    def _coerce(self, value: Any) -> int:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise TypeError(f"{self._name}: an integer knob cannot hold {value}")
            return int(value)
        if not isinstance(value, int):
            raise TypeError(f"{self._name}: setValue expects an int, got {type(value).__name__}")
        return value

    def _from_text(self, text: str) -> int:
        return int(float(text))


class Boolean_Knob(Knob):  # noqa: N801
    type_id = 6

    def __init__(self, name: str, label: str | None = None, value: Any = None) -> None:
        super().__init__(name, label)
        if value is not None:
            self._value = self._default = bool(value)

    def _initial(self) -> bool:
        return False

    def _coerce(self, value: Any) -> bool:
        return bool(value)

    def getValue(self) -> float:  # noqa: N802
        return 1.0 if self.value() else 0.0

    def _from_text(self, text: str) -> bool:
        return text.strip().lower() in ("true", "1", "yes")


class Array_Knob(Knob):  # noqa: N801
    """Float knobs (Write first/last, Switch/Dissolve which, Merge mix). Supports expressions."""

    type_id = 7

    def _initial(self) -> float:
        return 0.0

    def _coerce(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{self._name}: setValue expects a number, got {type(value).__name__}")
        return float(value)

    def value(self, index: int = 0) -> float:  # type: ignore[override]
        require_main("Array_Knob.value")
        if self._expression is not None:
            return _tcl.evaluate_expression(self._expression, self._node)
        return self._value

    def getValue(self, index: int = 0) -> float:  # noqa: N802
        return self.value()

    def setValue(self, value: Any, index: int = -1) -> bool:  # noqa: N802
        self._expression = None
        return super().setValue(value)

    def setExpression(self, expression: str, channel: int = -1, view: Any = None) -> bool:  # noqa: N802
        require_main("Array_Knob.setExpression")
        self._expression = expression
        _notify(self)
        return True

    def clearAnimated(self, index: int = -1) -> bool:  # noqa: N802
        self._expression = None
        return True

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        if self._expression is not None:
            return "{" + self._expression + "}"
        return _script_text(self._value)

    def _from_text(self, text: str) -> float:
        return float(text)

    def fromScript(self, text: str) -> bool:  # noqa: N802
        text = text.strip()
        try:
            self.setValue(float(text))
        except ValueError:
            self.setExpression(text[1:-1] if text.startswith("{") else text)
        return True


class Double_Knob(Array_Knob):  # noqa: N801
    type_id = 7


class ColorChip_Knob(Knob):  # noqa: N801
    """tile_color / gl_color: an unsigned 0xRRGGBBAA integer (0 = class default colour)."""

    type_id = 0

    def _initial(self) -> int:
        return 0

    def _coerce(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{self._name}: setValue expects an int")
        return int(value) & 0xFFFFFFFF

    def _from_text(self, text: str) -> int:
        return int(text, 0)

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return hex(self._value)


from ._knobs_ui import (BeginTabGroup_Knob, EndTabGroup_Knob, Enumeration_Knob, Format_Knob,  # noqa: E402,F401
                        Link_Knob, PyCustom_Knob, PyScript_Knob, Script_Knob, Tab_Knob, Text_Knob,
                        USER_KNOB_CLASSES)
