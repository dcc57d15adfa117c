"""Benchmark: ShotLoop's ingest vs ``ffmpeg -c:v exr`` on the same clip, in the same run.

    python ops/bench/bench_ingest.py [--seconds 10] [--repeat 3] [--keep]

Makes a 1280x720 24 fps H.264 clip (test pattern with moving grain, crf 18: about what a
generation service returns), then times, each in its own process and alternately:

  shotloop       conform(): decode, sRGB → ACEScg through OCIO (verified LUT + matrix),
                 half-float EXR (ZIP, 16 lines), plus the H.264 review movie and thumbnail
  ffmpeg zip16   ffmpeg -i clip -c:v exr -compression zip16 -format half   (no colour work)
  ffmpeg zip1    the same with 1-line ZIP blocks (ffmpeg's other ZIP flavour)

and prints wall time, CPU time and peak memory (ru_maxrss) per contender, the ratio
ShotLoop/ffmpeg (target ≤ 0.6 against the same compression, zip16), and ShotLoop's peak
memory on a clip half as long (flat memory means both peaks match). Exits 0.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Run, clean, ffmpeg, load, measure, median_run, python_child  # noqa: E402

CONFORM = """
import sys, time
from pathlib import Path
from shotloop.media.ingest import ConformTarget, conform
from shotloop.model import FrameRange, Resolution
clip, out, frames = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
target = ConformTarget("bench", "gen", 1, FrameRange(1001, 1000 + frames), 24.0, Resolution(1280, 720))
started = time.perf_counter()
conform(clip, target, out)
print(f"in-process {time.perf_counter() - started:.3f}")
"""


def make_clip(path: Path, seconds: float) -> None:
    """A 1280x720 24 fps clip with fine moving grain, tagged BT.709 limited range."""
    measure([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", "testsrc2=size=1280x720:rate=24,noise=alls=12:allf=t+u", "-t", str(seconds),
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
             "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
             "-color_range", "tv", str(path)])


def ffmpeg_exr(clip: Path, out: Path, compression: str) -> list[str]:
    return [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip), "-c:v", "exr",
            "-compression", compression, "-format", "half", str(out / "f.%04d.exr")]


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    frames = round(args.seconds * 24)
    work = Path(tempfile.mkdtemp(prefix="shotloop-bench-ingest-"))
    try:
        clip, half = work / "clip.mp4", work / "half.mp4"
        make_clip(clip, args.seconds)
        make_clip(half, args.seconds / 2)
        out = work / "out"
        contenders = {
            "shotloop": python_child(CONFORM, str(clip), str(out), str(frames)),
            "ffmpeg zip16": ffmpeg_exr(clip, out, "zip16"),
            "ffmpeg zip1": ffmpeg_exr(clip, out, "zip1"),
        }
        runs: dict[str, list[Run]] = {name: [] for name in contenders}
        sizes: dict[str, float] = {}
        print(f"clip: {frames} frames 1280x720 H.264, {clip.stat().st_size / 1e6:.1f} MB; {load()}")
        for attempt in range(args.repeat):
            for name, cmd in contenders.items():
                clean(out)
                runs[name].append(measure(cmd))
                sizes[name] = folder_mb(out)
                print(f"  run {attempt + 1} {name:13s} {runs[name][-1]}", flush=True)
        clean(out)
        short = median_run([measure(python_child(CONFORM, str(half), str(out), str(frames // 2)))
                            for _ in range(max(1, args.repeat // 2))])
        best = {name: median_run(r) for name, r in runs.items()}
        print(f"\nmedian of {args.repeat} ({load()}):")
        for name, run in best.items():
            print(f"  {name:13s} {run}   output {sizes[name]:7.1f} MB")
        ours = best["shotloop"]
        for name in ("ffmpeg zip16", "ffmpeg zip1"):
            inner = f"  in-process {ours.inner_s / best[name].wall_s:.2f}" if ours.inner_s else ""
            print(f"ratio shotloop / {name}: wall {ours.wall_s / best[name].wall_s:.2f}  "
                  f"cpu {ours.cpu_s / best[name].cpu_s:.2f}{inner}")
        print(f"target: ratio ≤ 0.60 against ffmpeg zip16 (same ZIP compression) → "
              f"{'met' if ours.wall_s <= 0.6 * best['ffmpeg zip16'].wall_s else 'NOT met'}")
        print(f"memory: shotloop peak {ours.peak_mb:.0f} MB for {frames} frames, "
              f"{short.peak_mb:.0f} MB for {frames // 2} frames (flat if about equal)")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
