"""Benchmark: keyframe and proxy extraction from an EXR plate vs oiiotool / ffmpeg.

    python ops/bench/bench_extract.py [--frames 48] [--repeat 3] [--width 1920 --height 1080]

Makes an ACEScg half-float EXR plate (ZIP), then times, each in its own process:

Keyframes (first and last frame → sRGB 8-bit PNG at 1280x720):
  shotloop             extract_keyframes(FIRST_LAST): OCIO ACEScg → sRGB, fit, PNG
  oiiotool resize      oiiotool f.exr --ch R,G,B --colorconvert ACEScg sRGB --resize 1280x720 -d uint8
  oiiotool resample    the same with --resample (no filtering: oiiotool's fastest)
Proxy (every frame → H.264 1280x720, libx264 veryfast crf 18):
  shotloop             make_proxy(): OCIO per frame, swscale, x264
  ffmpeg               ffmpeg -i f.%d.exr -vf scale,format=yuv420p -c:v libx264  (no OCIO: it
                       cannot do the colour conversion, so it does less work)
  oiiotool+ffmpeg      the same conversion with stock tools: oiiotool (OCIO + resize, all frames,
                       --parallel-frames) to PNG, then ffmpeg to H.264

Prints wall/CPU/peak memory and the ratios (target: ShotLoop no slower, i.e. ratio ≤ 1).
ShotLoop's times include starting Python and importing OIIO/PyAV (~0.3-0.5 s); its
in-process time is printed as well. Exits 0.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Run, clean, ffmpeg, load, measure, median_run, oiiotool, python_child  # noqa: E402

SRGB = "sRGB Encoded Rec.709 (sRGB)"

KEYFRAMES = """
import sys, time
from pathlib import Path
from shotloop.media.keyframes import extract_keyframes
from shotloop.model import FrameRange, KeyframeMode, Resolution, Shot
pattern, out, first, last, w, h = sys.argv[1], Path(sys.argv[2]), *map(int, sys.argv[3:7])
shot = Shot("bench", pattern, FrameRange(first, last), 24.0, Resolution(w, h))
started = time.perf_counter()
extract_keyframes(shot, KeyframeMode.FIRST_LAST, "1280:720", out)
print(f"in-process {time.perf_counter() - started:.3f}")
"""

PROXY = """
import sys, time
from pathlib import Path
from shotloop.media.proxy import make_proxy
from shotloop.model import FrameRange, Resolution, Shot
pattern, out, first, last, w, h = sys.argv[1], Path(sys.argv[2]), *map(int, sys.argv[3:7])
shot = Shot("bench", pattern, FrameRange(first, last), 24.0, Resolution(w, h))
started = time.perf_counter()
make_proxy(shot, "1280:720", out / "proxy.mp4")
print(f"in-process {time.perf_counter() - started:.3f}")
"""


PLATE = """
import sys
from pathlib import Path
import numpy as np
import OpenImageIO as oiio
folder, frames, width, height = Path(sys.argv[1]), *map(int, sys.argv[2:5])
folder.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
grain = rng.normal(0.0, 0.01, (height, width, 3)).astype(np.float32)
y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
x = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
base = (0.02 + 0.3 * x * np.array([1.0, 0.8, 0.6], np.float32)
        + 0.2 * (1 - y) * np.array([0.3, 0.5, 0.9], np.float32))
spec = oiio.ImageSpec(width, height, 3, oiio.HALF)
spec.attribute("compression", "zip")
for index in range(frames):
    frame = base + np.roll(grain, index * 7, axis=1)
    cx = int((0.1 + 0.8 * index / max(1, frames - 1)) * width)
    frame[height // 3: height // 3 + height // 8, max(0, cx - width // 16): cx + width // 16] = (4.0, 3.0, 1.5)
    path = folder / f"plate.{1001 + index}.exr"
    out = oiio.ImageOutput.create(str(path))
    out.open(str(path), spec)
    out.write_image(np.maximum(frame, 0.0))
    out.close()
"""


def make_plate(folder: Path, frames: int, width: int, height: int) -> str:
    """ACEScg half EXRs: graded gradients, a moving highlight above 1.0 and fine grain.

    Made in a child process, so this process stays small and the peak memory measured for
    each contender (inherited across fork) is the contender's own.
    """
    measure(python_child(PLATE, str(folder), str(frames), str(width), str(height)))
    return str(folder / "plate.####.exr")


def compare(title: str, contenders: dict[str, list[str]], out: Path, repeat: int, ours: str = "shotloop") -> None:
    runs: dict[str, list[Run]] = {name: [] for name in contenders}
    for attempt in range(repeat):
        for name, cmd in contenders.items():
            clean(out)
            runs[name].append(measure(cmd))
            print(f"  run {attempt + 1} {name:18s} {runs[name][-1]}", flush=True)
    best = {name: median_run(r) for name, r in runs.items()}
    print(f"{title}, median of {repeat}:")
    for name, run in best.items():
        print(f"  {name:18s} {run}")
    for name, run in best.items():
        if name != ours:
            ratio = best[ours].wall_s / run.wall_s
            inner = best[ours].inner_s
            extra = f", in-process {inner / run.wall_s:.2f}" if inner is not None else ""
            print(f"  ratio shotloop / {name}: wall {ratio:.2f}{extra} "
                  f"({'no slower' if ratio <= 1.0 else 'SLOWER'} counting start-up)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="shotloop-bench-extract-"))
    try:
        pattern = make_plate(work / "plate", args.frames, args.width, args.height)
        first, last = 1001, 1000 + args.frames
        out = work / "out"
        size = [str(first), str(last), str(args.width), str(args.height)]
        print(f"plate: {args.frames} frames {args.width}x{args.height} ACEScg half EXR; {load()}")

        def oiio_key(frame: int, op: str) -> list[str]:
            return [oiiotool(), pattern.replace("####", str(frame)), "--ch", "R,G,B", "--colorconvert", "ACEScg",
                    SRGB, op, "1280x720", "-d", "uint8", "-o", str(out / f"k{frame}.png")]

        keyframes = {
            "shotloop": python_child(KEYFRAMES, pattern, str(out), *size),
            "oiiotool resize": ["sh", "-c", " && ".join(" ".join(f"'{a}'" for a in oiio_key(f, "--resize"))
                                                        for f in (first, last))],
            "oiiotool resample": ["sh", "-c", " && ".join(" ".join(f"'{a}'" for a in oiio_key(f, "--resample"))
                                                          for f in (first, last))],
        }
        compare("keyframes (2 images)", keyframes, out, args.repeat)

        printf = pattern.replace("####", "%d")
        encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"]
        stock = (f"'{oiiotool()}' --parallel-frames --frames {first}-{last} '{pattern.replace('####', '#')}' "
                 f"--ch R,G,B --colorconvert ACEScg '{SRGB}' --resample 1280x720 -d uint8 -o '{out}/p.#.png' && "
                 f"'{ffmpeg()}' -hide_banner -loglevel error -y -framerate 24 -start_number {first} "
                 f"-i '{out}/p.%d.png' {' '.join(encode)} '{out}/stock.mp4'")
        proxies = {
            "shotloop": python_child(PROXY, pattern, str(out), *size),
            "ffmpeg": [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-framerate", "24",
                       "-start_number", str(first), "-i", printf, "-vf", "scale=1280:720:flags=bicubic",
                       *encode, str(out / "ff.mp4")],
            "oiiotool+ffmpeg": ["sh", "-c", stock],
        }
        compare(f"proxy ({args.frames} frames → 1280x720 H.264)", proxies, out, args.repeat)
        print(load())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
