"""The adapter calls only Foundry's documented Python API, and knows nothing of the emulation."""
from __future__ import annotations

import ast

from tests.hosts.nuke.conftest import ROOT

ADAPTER = ROOT / "hosts" / "nuke"

# Module-level names of nuke / nukescripts the adapter may use: each is in Foundry's Python
# Developer's Guide or API reference (shared/reference/nuke.md, part A, gives the pages).
DOCUMENTED = {
    "nuke": {
        "GUI", "INVISIBLE", "INPUTS", "root", "toNode", "allNodes", "selectedNodes", "nodes", "delete",
        "execute", "filename", "script_directory", "scriptOpen", "scriptSaveAs", "executeInMainThread",
        "ProgressTask", "Undo", "menu", "toolbar", "message", "getInput", "getFilename", "getPaneFor",
        "warning", "thisNode", "thisKnob", "addOnScriptLoad", "addOnScriptSave", "addOnScriptClose",
        "addKnobChanged", "removeOnScriptLoad", "removeOnScriptSave", "removeOnScriptClose",
        "removeKnobChanged", "String_Knob", "File_Knob", "Tab_Knob", "Text_Knob", "Enumeration_Knob",
        "Boolean_Knob", "PyScript_Knob", "Int_Knob", "Multiline_Eval_String_Knob",
    },
    "nukescripts": {"PythonPanel", "registerWidgetAsPanel"},
}


def _uses(module: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(ADAPTER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == module:
                found.setdefault(node.attr, set()).add(str(path.relative_to(ADAPTER)))
    return found


def test_only_documented_module_functions_are_used():
    for module, allowed in DOCUMENTED.items():
        used = _uses(module)
        assert set(used) <= allowed, {name: files for name, files in used.items() if name not in allowed}


def test_the_adapter_never_mentions_the_emulation():
    for path in ADAPTER.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for marker in ("nuke_fake", "nuke_emulation", "IS_MOCK", "_SESSION"):
            assert marker not in text, f"{path}: {marker}"


def test_qt_is_imported_only_by_the_panel_widget():
    for path in ADAPTER.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        qt = names & {"qtpy", "PySide2", "PySide6", "shotloop.ui"}
        ui = any(isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("shotloop.ui")
                 for n in ast.walk(tree))
        if qt or ui:
            assert path.name == "panel_widget.py", path
