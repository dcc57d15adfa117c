"""The installable zip: built by ops/build_blender_extension.py, accepted by Blender's own
validator and installer, self-sufficient without the media stack, and clean to disable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "ops"))
import build_blender_extension as builder  # noqa: E402

pytestmark = pytest.mark.blender


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    path, closure = builder.build(out)
    return path, closure


def test_zip_holds_the_extension_and_its_wheels(built):
    path, closure = built
    assert builder.validate(path).startswith("Success")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        manifest = zf.read("blender_manifest.toml").decode()
        core = zipfile.ZipFile(zf.open(next(n for n in names if n.startswith("wheels/shotloop-"))))
    assert {"__init__.py", "loaders.py", "panels.py", "blender_manifest.toml"} <= set(names)
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/") or n.endswith(".pyc")]
    wheels = [n for n in names if n.startswith("wheels/")]
    assert len(wheels) == 3 and all(f'"./{w}"' in manifest for w in wheels)
    assert manifest.index("wheels = [") < manifest.index("[permissions]")  # a top-level key, not in a table
    modules = set(core.namelist())
    assert {"shotloop/model.py", "shotloop/client.py", "shotloop/host.py", "shotloop/agent/home.py",
            "shotloop/edit/shots.py", "shotloop/edit/review.py"} <= modules
    assert not [m for m in modules if m.startswith(("shotloop/media/", "shotloop/ui/", "shotloop/providers/runway"))
                and m != "shotloop/providers/runway_models.py"
                or m in ("shotloop/agent/server.py", "shotloop/agent/runner.py", "shotloop/cli.py")]


def test_a_module_level_media_import_fails_the_build(tmp_path):
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "blender_manifest.toml").write_text((builder.EXT_DIR / "blender_manifest.toml").read_text())
    (ext / "__init__.py").write_text("from shotloop.media import plate\n")
    with pytest.raises(builder.BuildError, match="Blender does not ship"):
        builder.build(tmp_path / "out", ext_dir=ext)


def test_core_bundle_imports_without_the_media_stack(built, tmp_path):
    """Only the standard library, what Blender ships and the bundled wheels: no OpenImageIO,
    PyAV, numpy or Qt may be imported by what the extension uses."""
    path, _ = built
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("wheels/"):
                with zipfile.ZipFile(zf.open(name)) as wheel:
                    wheel.extractall(unpacked)
    venv_site = Path(__import__("requests").__file__).parents[1]
    script = textwrap.dedent(f"""
        import sys
        ALLOWED = set(sys.stdlib_module_names) | {{"shotloop", "opentimelineio", "pyblish", "requests",
            "urllib3", "certifi", "idna", "charset_normalizer", "__future__"}}
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] not in ALLOWED:
                    raise ImportError("blocked: " + name)
        sys.meta_path.insert(0, Block())
        sys.path[:0] = [{str(unpacked)!r}, {str(venv_site)!r}]
        import shotloop, shotloop.client, shotloop.edit.shots, shotloop.edit.review, shotloop.edit.export
        import shotloop.publish.send, shotloop.providers.runway_models
        assert shotloop.__file__.startswith({str(unpacked)!r}), shotloop.__file__
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-S", "-I", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


INSTALL = textwrap.dedent("""
    import json, sys, threading, time
    import bpy, addon_utils
    def state():
        import shotloop
        return {"classes": sorted(n for n in dir(bpy.types) if n.startswith("SHOTLOOP")),
                "scene_prop": hasattr(bpy.types.Scene, "shotloop"),
                "strip_prop": hasattr(bpy.types.Strip, "shotloop_take"),
                "handlers": [h.__module__ for h in bpy.app.handlers.load_post if "shotloop" in h.__module__],
                "threads": sorted(t.name for t in threading.enumerate() if t.name.startswith("shotloop"))}
    def settle():  # worker threads end within a deadline after unregister
        end = time.monotonic() + 10
        while time.monotonic() < end and any(t.name.startswith("shotloop") for t in threading.enumerate()):
            time.sleep(0.02)
    before = {"classes": [], "scene_prop": False, "strip_prop": False, "handlers": [], "threads": []}
    result = bpy.ops.extensions.package_install_files(filepath=sys.argv[1], repo="user_default",
                                                      enable_on_install=True)
    mod = "bl_ext.user_default.shotloop"
    out = {"install": sorted(result), "check": addon_utils.check(mod), "enabled": state()}
    runtime = sys.modules[mod + ".runtime"]
    first = runtime.current()
    bpy.context.preferences.addons[mod].preferences.agent_command = "shotloop-from-prefs"
    out["prefs_reconnect"] = runtime.current() is not first and first is not None
    timer = runtime._slot["timer"]
    out["timer_on"] = bpy.app.timers.is_registered(timer)
    import shotloop, opentimelineio
    out["core_from"] = shotloop.__file__
    addon_utils.disable(mod)
    settle()
    out["timer_after"] = bpy.app.timers.is_registered(timer)
    out["disabled"] = state()
    addon_utils.enable(mod, default_set=True)
    out["again"] = state()["classes"] == out["enabled"]["classes"]
    addon_utils.disable(mod)
    settle()
    out["disabled_again"] = state()
    out["before"] = before
    print("RESULT" + json.dumps(out))
""")


def test_zip_installs_enables_and_disables_cleanly(built, tmp_path):
    path, _ = built
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(tmp_path / "blender-user"))
    done = subprocess.run([sys.executable, "-c", INSTALL, str(path)], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line is not None, done.stdout + done.stderr
    out = json.loads(line[len("RESULT"):])
    assert out["install"] == ["FINISHED"] and out["check"] == [True, True]
    enabled = out["enabled"]
    assert "SHOTLOOP_OT_send" in enabled["classes"] and "SHOTLOOP_PT_versions" in enabled["classes"]
    assert enabled["scene_prop"] and enabled["strip_prop"] and enabled["handlers"] and out["timer_on"]
    assert "/extensions/" in out["core_from"]  # the bundled core wheel, not the repo
    assert out["disabled"] == out["before"] and out["disabled_again"] == out["before"]
    assert out["timer_after"] is False and out["again"]
    assert out["prefs_reconnect"]  # changing the agent settings reconnects at once
