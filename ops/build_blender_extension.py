#!/usr/bin/env python3
"""Build the installable Blender extension zip from hosts/blender.

    python ops/build_blender_extension.py [--out dist] [--wheelhouse DIR] [--platform linux-x64]

The zip holds the extension's files (minus the manifest's ``paths_exclude_pattern``), the
manifest with ``wheels``/``platforms`` filled in, and ``wheels/``: ShotLoop's light core as
``shotloop-<version>-py3-none-any.whl`` (the ``shotloop`` modules the extension imports,
followed through the core's own imports: a module-level import of something Blender does
not ship, e.g. OpenImageIO, PyAV or numpy, fails the build; a lazy or ``except ImportError``
one is left out and reported) plus the third-party wheels those need (opentimelineio,
pyblish-base) from ``--wheelhouse``, else repacked from this Python's installed copy (this
platform only), else ``pip download`` with ``--download``. Blender's own validator (shipped
in the bpy module) checks the result when bpy is installed. Standard library only.
"""
from __future__ import annotations

import argparse
import ast
import base64
import csv
import fnmatch
import hashlib
import importlib.metadata as metadata
import io
import platform
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXT_DIR = ROOT / "hosts" / "blender"
CORE_DIR = ROOT / "plugin" / "shotloop"
CORE = "shotloop"
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same zip

# Modules Blender's Python ships (besides the standard library).
BLENDER_PROVIDES = {"bpy", "bpy_extras", "mathutils", "gpu", "bmesh", "aud", "addon_utils", "requests",
                    "urllib3", "certifi", "idna", "charset_normalizer", "zstandard"}
# Blender ships numpy too, but ShotLoop keeps media work (numpy, OpenImageIO, PyAV) in the agent.
# Third-party modules we bundle as wheels: import name -> distribution.
BUNDLED = {"opentimelineio": "opentimelineio", "pyblish": "pyblish-base"}
# Blender platform -> what pip calls it (for --download).
PIP_PLATFORMS = {"linux-x64": "manylinux2014_x86_64", "linux-arm64": "manylinux2014_aarch64",
                 "windows-x64": "win_amd64", "macos-arm64": "macosx_11_0_arm64",
                 "macos-x64": "macosx_10_9_x86_64"}


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------- which core modules


@dataclass
class Closure:
    files: set[Path] = field(default_factory=set)
    external: dict[str, set[str]] = field(default_factory=dict)  # top-level module -> importers
    dropped: list[str] = field(default_factory=list)  # optional imports left out, with why


def _module_file(name: str) -> Path | None:
    """plugin/shotloop file of ``shotloop.a.b`` (module or package), or None."""
    base = CORE_DIR.joinpath(*name.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    parts = [CORE, *path.relative_to(CORE_DIR).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _catches_import_error(node: ast.Try) -> bool:
    caught = {n.id for h in node.handlers if h.type is not None for n in ast.walk(h.type) if isinstance(n, ast.Name)}
    return bool({"ImportError", "ModuleNotFoundError"} & caught)


def _imports(path: Path, package: str) -> list[tuple[str, bool]]:
    """(absolute module name, required) for every import in ``path``. Required: at module
    level and not guarded by ``except ImportError``; imports under ``if TYPE_CHECKING`` are
    not imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, required: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, required)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            required = False
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for child in node.body:
                visit(child, False)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, required)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, required) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, required))
            for alias in node.names:  # ``from . import model`` imports a submodule
                found.append((f"{module}.{alias.name}", required))
        for child in ast.iter_child_nodes(node):
            visit(child, required)

    visit(tree, True)
    return found


def _is_stdlib(top: str) -> bool:
    return top in sys.stdlib_module_names or top == "__future__"


def core_closure(ext_dir: Path = EXT_DIR) -> Closure:
    """The core modules the extension needs, and the third-party modules they import."""
    closure = Closure()
    roots: list[tuple[str, bool, str]] = []
    for path in sorted(ext_dir.glob("*.py")):
        for name, required in _imports(path, "extension"):
            if name.split(".")[0] == CORE:
                roots.append((name, required, path.name))
            elif not name.startswith("extension") and not _is_stdlib(name.split(".")[0]):
                closure.external.setdefault(name.split(".")[0], set()).add(f"hosts/blender/{path.name}")

    def add(name: str, seen: set[Path], external: dict[str, set[str]]) -> None:
        path = _module_file(name)
        if path is None or path in seen:
            return
        # parents are imported first
        parent = name.rpartition(".")[0]
        if parent:
            add(parent, seen, external)
        seen.add(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for imported, required in _imports(path, package):
            top = imported.split(".")[0]
            if top == CORE:
                if _module_file(imported) is None:
                    continue  # ``from .x import name`` of a non-module name
                if required:
                    add(imported, seen, external)
                else:
                    optional(imported, seen, external, name)
            elif not _is_stdlib(top) and top not in BLENDER_PROVIDES and top not in BUNDLED and required:
                raise BuildError(f"{_module_name(path)} imports {top} at module level; Blender does not "
                                 f"ship it. Keep it out of the host path or import it lazily.")
            elif not _is_stdlib(top):
                external.setdefault(top, set()).add(_module_name(path))

    def optional(name: str, seen: set[Path], external: dict[str, set[str]], by: str) -> None:
        trial_seen, trial_ext = set(seen), {k: set(v) for k, v in external.items()}
        try:
            add(name, trial_seen, trial_ext)
            bad = [t for t in trial_ext if t not in BLENDER_PROVIDES and t not in BUNDLED and not _is_stdlib(t)]
            if bad:
                raise BuildError(f"needs {', '.join(sorted(bad))}")
        except BuildError as err:
            closure.dropped.append(f"{name} (imported lazily by {by}): {err}")
            return
        seen |= trial_seen
        for key, value in trial_ext.items():
            external.setdefault(key, set()).update(value)

    for name, required, where in roots:
        if required:
            add(name, closure.files, closure.external)
        else:
            optional(name, closure.files, closure.external, f"hosts/blender/{where}")
    for top in list(closure.external):
        if top not in BLENDER_PROVIDES and top not in BUNDLED:
            lazy_only = all(not imp.startswith("hosts/") for imp in closure.external[top])
            if not lazy_only:
                raise BuildError(f"{top} is imported by {sorted(closure.external[top])} but is neither "
                                 f"shipped with Blender nor bundled")
            del closure.external[top]
    closure.files.add(CORE_DIR / "__init__.py")
    return closure


# ---------------------------------------------------------------------- wheels


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _write_wheel(path: Path, files: dict[str, bytes], dist_info: str) -> Path:
    """A wheel from ``files`` (archive name -> bytes); RECORD is written last."""
    record = [_record_line(name, data) for name, data in sorted(files.items())]
    record.append([f"{dist_info}/RECORD", "", ""])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(record)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", ZIP_TIME), buf.getvalue().encode(), zipfile.ZIP_DEFLATED)
    return path


def core_wheel(closure: Closure, out_dir: Path) -> Path:
    """shotloop-<version>-py3-none-any.whl holding only the modules in ``closure``."""
    version = re.search(r'__version__\s*=\s*"([^"]+)"', (CORE_DIR / "__init__.py").read_text()).group(1)
    dist_info = f"{CORE}-{version}.dist-info"
    files = {f"{CORE}/{p.relative_to(CORE_DIR).as_posix()}": p.read_bytes() for p in sorted(closure.files)}
    for package in {p.parent for p in closure.files}:  # every package on the way has its __init__
        init = package / "__init__.py"
        if init.is_file():
            files.setdefault(f"{CORE}/{init.relative_to(CORE_DIR).as_posix()}", init.read_bytes())
    requires = "".join(f"Requires-Dist: {BUNDLED[t]}\n" for t in sorted(closure.external) if t in BUNDLED)
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {CORE}\nVersion: {version}\n"
        f"Summary: ShotLoop's light core for host applications (model, client, edit)\n{requires}").encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: shotloop build_blender_extension\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n").encode()
    return _write_wheel(out_dir / f"{CORE}-{version}-py3-none-any.whl", files, dist_info)


def repack_installed(dist_name: str, out_dir: Path) -> Path:
    """A wheel rebuilt from this Python's installed distribution (its own files, its tags)."""
    dist = metadata.distribution(dist_name)
    site = Path(dist.locate_file(""))
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    if not tags:
        raise BuildError(f"{dist_name}: the installed distribution has no WHEEL tags to repack")
    pythons, abis, plats = (sorted({t.split("-")[i] for t in tags}) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    dist_info = next(e.parent.as_posix() for e in dist.files or () if e.name == "METADATA"
                     and e.parent.name.endswith(".dist-info"))
    files: dict[str, bytes] = {}
    for entry in dist.files or ():
        rel = entry.as_posix()
        if rel.startswith("..") or "__pycache__" in rel or rel.endswith(".pyc"):
            continue
        if rel.startswith(f"{dist_info}/") and rel.split("/")[-1] in ("RECORD", "INSTALLER", "REQUESTED",
                                                                    "direct_url.json"):
            continue
        files[rel] = (site / rel).read_bytes()
    filename = f"{name}-{dist.version}-{'.'.join(pythons)}-{'.'.join(abis)}-{'.'.join(plats)}.whl"
    return _write_wheel(out_dir / filename, files, dist_info)


def blender_platform_of_wheel(filename: str) -> set[str]:
    """Blender platforms a wheel's platform tag covers (empty for "any": every platform)."""
    found = set()
    for tag in filename[:-4].split("-")[-1].split("."):
        if tag == "any":
            return set()
        system = ("linux" if tag.startswith(("manylinux", "linux")) else "windows" if tag.startswith("win")
                  else "macos" if tag.startswith("macosx") else tag)
        arch = "arm64" if tag.endswith(("aarch64", "arm64")) else "x64" if tag.endswith(("x86_64", "amd64")) else tag
        found.add(f"{system}-{arch}")
    return found


def current_platform() -> str:
    machine = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "x64")
    system = {"linux": "linux", "darwin": "macos", "windows": "windows"}[platform.system().lower()]
    return f"{system}-{machine}"


def third_party_wheels(dists: list[str], platforms: list[str], out_dir: Path, *,
                       wheelhouse: Path | None, download: bool) -> list[Path]:
    wheels: list[Path] = []
    for dist in dists:
        norm = dist.replace("-", "_").lower()
        version = metadata.version(dist)
        pure = "-none-any" in (metadata.distribution(dist).read_text("WHEEL") or "").replace("Tag: ", "-")
        needed = [""] if pure else list(platforms)
        for plat in needed:
            wheel = None
            if wheelhouse is not None:
                wheel = next((w for w in sorted(wheelhouse.glob("*.whl"))
                              if w.name.lower().startswith(f"{norm}-{version}-")
                              and (not plat or plat in blender_platform_of_wheel(w.name)
                                   or not blender_platform_of_wheel(w.name))), None)
            if wheel is None and (pure or plat == current_platform()) and sys.version_info[:2] == (3, 11):
                wheel = repack_installed(dist, out_dir)
            if wheel is None and download:
                with tempfile.TemporaryDirectory() as tmp:
                    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                                    "--python-version", "3.11", "--platform", PIP_PLATFORMS[plat],
                                    "-d", tmp, f"{dist}=={version}"], check=True)
                    got = next(Path(tmp).glob("*.whl"))
                    wheel = out_dir / got.name
                    wheel.write_bytes(got.read_bytes())
            if wheel is None:
                raise BuildError(f"no {dist} {version} wheel for {plat or 'any platform'}: put one in "
                                 f"--wheelhouse or pass --download")
            wheels.append(wheel)
    return wheels


# ---------------------------------------------------------------------- the zip


def _excluded(rel: str, patterns: list[str]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        anchored = pattern.startswith("/")
        pat = pattern.strip("/")
        if pattern.endswith("/"):  # a directory anywhere (or at the root when anchored)
            dirs = parts[:-1]
            if (anchored and dirs[:1] == [pat]) or (not anchored and pat in dirs):
                return True
        elif anchored and fnmatch.fnmatch(rel, pat):
            return True
        elif not anchored and fnmatch.fnmatch(parts[-1], pat):
            return True
    return False


def manifest_with(text: str, wheels: list[str], platforms: list[str]) -> str:
    """The manifest with ``wheels``/``platforms`` set, as top-level keys (before any table)."""
    lines = [ln for ln in text.splitlines() if not re.match(r"\s*#?\s*(wheels|platforms)\s*=", ln)]
    first_table = next((i for i, ln in enumerate(lines) if ln.strip().startswith("[")), len(lines))
    added = [f"wheels = [{', '.join(repr(w).replace(chr(39), chr(34)) for w in wheels)}]"]
    if platforms:
        added.append(f"platforms = [{', '.join(chr(34) + p + chr(34) for p in platforms)}]")
    return "\n".join(lines[:first_table] + added + [""] + lines[first_table:]) + "\n"


def build(out_dir: Path, *, platforms: list[str] | None = None, wheelhouse: Path | None = None,
          download: bool = False, ext_dir: Path = EXT_DIR) -> tuple[Path, Closure]:
    manifest_text = (ext_dir / "blender_manifest.toml").read_text(encoding="utf-8")
    manifest = tomllib.loads(manifest_text)
    platforms = platforms or [current_platform()]
    closure = core_closure(ext_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel_dir = Path(tmp)
        wheels = [core_wheel(closure, wheel_dir)]
        dists = [BUNDLED[t] for t in sorted(closure.external) if t in BUNDLED]
        wheels += third_party_wheels(dists, platforms, wheel_dir, wheelhouse=wheelhouse, download=download)
        covered = set(platforms) if any(blender_platform_of_wheel(w.name) for w in wheels) else set()
        text = manifest_with(manifest_text, [f"./wheels/{w.name}" for w in wheels], sorted(covered))
        target = out_dir / f"{manifest['id']}-{manifest['version']}.zip"
        excludes = list(manifest.get("build", {}).get("paths_exclude_pattern", []))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(zipfile.ZipInfo("blender_manifest.toml", ZIP_TIME), text, zipfile.ZIP_DEFLATED)
            for path in sorted(ext_dir.rglob("*")):
                rel = path.relative_to(ext_dir).as_posix()
                if path.is_dir() or rel == "blender_manifest.toml" or _excluded(rel, excludes):
                    continue
                zf.writestr(zipfile.ZipInfo(rel, ZIP_TIME), path.read_bytes(), zipfile.ZIP_DEFLATED)
            for wheel in wheels:
                zf.writestr(zipfile.ZipInfo(f"wheels/{wheel.name}", ZIP_TIME), wheel.read_bytes(),
                            zipfile.ZIP_STORED)
    return target, closure


def validate(zip_path: Path) -> str | None:
    """Run Blender's own manifest validator on the zip (None when bpy is not installed)."""
    import importlib.util
    spec = importlib.util.find_spec("bpy")
    if spec is None or spec.origin is None:
        return None
    tool = next(Path(spec.origin).parent.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"), None)
    if tool is None:
        return None
    done = subprocess.run([sys.executable, str(tool), "validate", str(zip_path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(f"Blender's validator refused {zip_path.name}: {done.stdout}{done.stderr}")
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--platform", action="append", dest="platforms", choices=sorted(PIP_PLATFORMS),
                        help="Blender platform to include wheels for (repeatable; default: this one)")
    parser.add_argument("--wheelhouse", type=Path, help="folder with ready wheels to use first")
    parser.add_argument("--download", action="store_true", help="pip download wheels missing for other platforms")
    parser.add_argument("--no-validate", action="store_true", help="skip Blender's manifest validator")
    args = parser.parse_args(argv)
    try:
        target, closure = build(args.out, platforms=args.platforms, wheelhouse=args.wheelhouse,
                                download=args.download)
        checked = None if args.no_validate else validate(target)
    except (BuildError, subprocess.CalledProcessError) as err:
        sys.stderr.write(f"build failed: {err}\n")
        return 1
    modules = sorted(_module_name(p) for p in closure.files)
    sys.stdout.write(f"built {target} ({target.stat().st_size} bytes)\n")
    sys.stdout.write(f"core modules ({len(modules)}): {', '.join(modules)}\n")
    for note in closure.dropped:
        sys.stdout.write(f"left out: {note}\n")
    sys.stdout.write(f"validated: {checked}\n" if checked else "validation skipped (no bpy module here)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
