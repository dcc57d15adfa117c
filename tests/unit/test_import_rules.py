"""The core stays host-agnostic: no host module or Qt binding outside the rules."""
import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "plugin" / "shotloop"
HOSTS = {"nuke", "nukescripts", "hiero", "bpy", "bmesh", "mathutils"}
QT = {"PySide2", "PySide6", "PyQt5", "PyQt6", "shiboken2", "shiboken6"}
# What a host's Python loads: these must not import the media stack at module level.
LIGHT = ["model.py", "errors.py", "host.py", "client.py", "codec.py", "sequence.py",
         "agent/home.py", "publish/send", "edit"]
HEAVY = {"OpenImageIO", "av", "numpy", "PyOpenColorIO", "uvicorn", "starlette"}


def _imports(path: Path, *, top_level_only: bool = False):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_core_never_imports_a_host_or_a_qt_binding():
    offenders = []
    for path in CORE.rglob("*.py"):
        for name in _imports(path):
            if name in HOSTS or name in QT:
                offenders.append(f"{path.relative_to(CORE)}: {name}")
            if name == "qtpy" and "ui" not in path.relative_to(CORE).parts:
                offenders.append(f"{path.relative_to(CORE)}: qtpy outside shotloop.ui")
    assert offenders == []


def test_host_side_modules_do_not_load_the_media_stack():
    offenders = []
    for entry in LIGHT:
        target = CORE / entry
        for path in ([target] if target.is_file() else sorted(target.rglob("*.py"))):
            for name in _imports(path, top_level_only=True):
                if name in HEAVY:
                    offenders.append(f"{path.relative_to(CORE)}: {name}")
    assert offenders == []
