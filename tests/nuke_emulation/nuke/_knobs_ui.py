"""Menu, label, tab, button, format and panel knobs (reference A4 table), and user-knob type ids."""
from __future__ import annotations

from typing import Any

from ._knobs import (Boolean_Knob, Double_Knob, EvalString_Knob, File_Knob, Int_Knob, Knob,
                     Multiline_Eval_String_Knob, require_main)
from ._session import SESSION
from ._values import Format, find_format


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
        return self._value._spec() if self._value is not None else ""

    def _is_default(self) -> bool:
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
