"""Knob classes with the value semantics of reference/nuke.md A4 (SRC15, SCAN17)."""
from __future__ import annotations

import re
from typing import Any

from . import _tcl
from ._constants import INVISIBLE, NO_ANIMATION, NO_UNDO  # noqa: F401 - re-exported flags
from ._session import SESSION, require_main
from ._values import Format, find_format

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

    def isDefault(self) -> bool:  # noqa: N802 - exists on real knobs
        return self._value == self._default and self._expression is None

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

    def setText(self, text: str) -> None:  # noqa: N802
        self.setValue(text)

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

    def expression(self) -> str:
        return self._expression or ""

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


class Enumeration_Knob(Knob):  # noqa: N801
    """``value()`` is the item (text before a tab), ``getValue()`` its index as a float."""

    type_id = 4

    def __init__(self, name: str, label: str | None = None, items: list[str] | None = None) -> None:
        self._items = list(items or [])
        super().__init__(name, label)

    def _initial(self) -> str:
        return self._items[0] if self._items else ""

    @staticmethod
    def _main(item: str) -> str:
        return item.split("\t", 1)[0]

    def values(self) -> list[str]:
        return list(self._items)

    def numValues(self) -> int:  # noqa: N802
        return len(self._items)

    def enumName(self, index: int) -> str:  # noqa: N802
        return self._main(self._items[int(index)])

    def setValues(self, items: list[str]) -> None:  # noqa: N802
        require_main("Enumeration_Knob.setValues")
        current = self._value
        self._items = [str(i) for i in items]
        if current not in self._items:
            self._value = self._items[0] if self._items else ""
        if self._default not in self._items:
            self._default = self._items[0] if self._items else ""

    def _coerce(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            index = int(value)
            if not 0 <= index < len(self._items):
                raise ValueError(f"{self._name}: index {index} out of range")
            return self._items[index]
        if isinstance(value, str):
            for item in self._items:
                if item == value or self._main(item) == value:
                    return item
            raise ValueError(f"{self._name}: {value!r} is not one of the items")
        raise TypeError(f"{self._name}: setValue expects an item or an index")

    def value(self) -> str:
        return self._main(super().value())

    def getValue(self) -> float:  # noqa: N802
        item = super().value()
        return float(self._items.index(item)) if item in self._items else 0.0

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return self._main(self._value)


class Text_Knob(Knob):  # noqa: N801
    type_id = 26

    def __init__(self, name: str, label: str | None = None, text: str = "") -> None:
        super().__init__(name, label)
        self._value = self._default = str(text)

    def _coerce(self, value: Any) -> str:
        return str(value)


class Tab_Knob(Knob):  # noqa: N801
    type_id = 20

    def __init__(self, name: str, label: str | None = None, flags: int = 0) -> None:
        super().__init__(name, label)
        self._tab_flags = int(flags)


class BeginTabGroup_Knob(Tab_Knob):  # noqa: N801
    def __init__(self, name: str = "", label: str | None = None) -> None:
        super().__init__(name, label, 1)


class EndTabGroup_Knob(Tab_Knob):  # noqa: N801
    def __init__(self, name: str = "", label: str | None = None) -> None:
        super().__init__(name, label, -1)


class PyScript_Knob(Knob):  # noqa: N801
    """A button running Python with ``nuke.thisNode()``/``thisKnob()`` set."""

    type_id = 22

    def __init__(self, name: str, label: str | None = None, command: str = "") -> None:
        super().__init__(name, label)
        self._value = self._default = str(command)

    def _coerce(self, value: Any) -> str:
        return str(value)

    def command(self) -> str:
        return self._value

    def setCommand(self, command: str) -> None:  # noqa: N802
        self._value = str(command)

    def execute(self) -> None:
        require_main("PyScript_Knob.execute")
        import nuke

        from . import _callbacks

        owner = self._node
        group = owner.parent() if owner is not None else SESSION.root
        with _callbacks.context(owner, self, group):
            exec(self._value, {"nuke": nuke, "__name__": "__main__"})  # noqa: S102 - a button


class Script_Knob(PyScript_Knob):  # noqa: N801
    type_id = 32

    def execute(self) -> None:
        if self._value.strip():
            raise NotImplementedError("fake nuke: TCL Script_Knob commands are not emulated")


class Format_Knob(Knob):  # noqa: N801
    type_id = 17

    def _initial(self) -> Any:
        return None

    def _coerce(self, value: Any) -> Format:
        if isinstance(value, Format):
            return value
        if isinstance(value, str):
            found = find_format(value)
            if found is not None:
                return found
            fmt = Format.parse(value)
            if fmt.name() and find_format(fmt.name()) is None:
                SESSION.formats.append(fmt)
            return find_format(fmt.name()) or fmt
        raise TypeError(f"{self._name}: setValue expects a format name or Format")

    def value(self) -> Format:
        return super().value()

    def toScript(self, quote: bool = False, context: Any = None) -> str:  # noqa: N802
        return self._value.toScript() if self._value is not None else ""

    def isDefault(self) -> bool:  # noqa: N802
        return self._value is self._default


class Link_Knob(Knob):  # noqa: N801
    type_id = 41

    def setLink(self, target: str) -> None:  # noqa: N802
        self._value = str(target)

    def getLink(self) -> str:  # noqa: N802
        return self._value


class PyCustom_Knob(Knob):  # noqa: N801
    """Holds a Python expression evaluated when the UI is built; ``getObject()`` is the result."""

    type_id = 38

    def __init__(self, name: str, label: str | None = None, command: str = "") -> None:
        super().__init__(name, label)
        self._value = self._default = str(command)
        self._object: Any = None

    def getObject(self) -> Any:  # noqa: N802
        if self._object is None:
            self._object = eval(self._value, {"__builtins__": __builtins__})  # noqa: S307
        return self._object


USER_KNOB_CLASSES: dict[int, type[Knob]] = {
    1: EvalString_Knob,
    2: File_Knob,
    3: Int_Knob,
    4: Enumeration_Knob,
    6: Boolean_Knob,
    7: Double_Knob,
    20: Tab_Knob,
    22: PyScript_Knob,
    26: Text_Knob,
    32: Script_Knob,
    41: Link_Knob,
    43: Multiline_Eval_String_Knob,
}
