"""Small real fixtures for the store tests: jobs, EXR frames, a movie, a thumbnail."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import numpy as np
import OpenImageIO as oiio

from shotloop.model import FrameRange, Job, Recipe, Resolution, Shot
from shotloop.store.provenance import build_provenance

WIDTH, HEIGHT = 64, 36
FAKE_KEY = "key_" + "0123456789abcdef" * 4  # looks like a Runway key; must never be kept


def make_shot(name: str = "sh010") -> Shot:
    return Shot(name=name, source=f"/plates/{name}/{name}.####.exr", frame_range=FrameRange(1001, 1003),
                fps=24.0, resolution=Resolution(WIDTH, HEIGHT), colorspace="ACEScg")


def make_job(job_id: str = "", shot: str = "sh010", label: str = "gen", *, profile: str = "reference",
             batch: str = "") -> Job:
    return Job(job_id=job_id, shot=make_shot(shot),
               recipe=Recipe(model="gen4_turbo", prompt="slow push in", seed=7, label=label),
               profile=profile, batch=batch)


def frame_pixels(frame: int) -> np.ndarray:
    """Distinct, exactly representable (half) values per frame."""
    pixels = np.zeros((HEIGHT, WIDTH, 3), np.float32)
    pixels[..., 0] = (frame % 100) / 8.0
    pixels[..., 1] = np.linspace(0.0, 1.0, WIDTH, dtype=np.float32)[None, :]
    pixels[..., 2] = 0.25
    return pixels.astype(np.float16).astype(np.float32)


def write_exr(path: Path, pixels: np.ndarray) -> None:
    spec = oiio.ImageSpec(pixels.shape[1], pixels.shape[0], pixels.shape[2], "half")
    out = oiio.ImageOutput.create(str(path))
    assert out is not None and out.open(str(path), spec), oiio.geterror()
    assert out.write_image(pixels), out.geterror()
    out.close()


def read_exr(path: Path) -> np.ndarray:
    buf = oiio.ImageBuf(str(path))
    assert not buf.has_error, buf.geterror()
    return buf.get_pixels(oiio.FLOAT)


def write_frames(folder: Path, name: str, frames: Iterable[int]) -> list[Path]:
    written = []
    for frame in frames:
        path = folder / f"{name}.{frame:04d}.exr"
        write_exr(path, frame_pixels(frame))
        written.append(path)
    return written


def write_thumbnail(path: Path) -> None:
    buf = oiio.ImageBuf(oiio.ImageSpec(WIDTH, HEIGHT, 3, "uint8"))
    oiio.ImageBufAlgo.fill(buf, (0.2, 0.4, 0.6))
    assert buf.write(str(path)), buf.geterror()


def write_movie(path: Path, frames: int = 3) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for i in range(frames):
            image = np.full((HEIGHT, WIDTH, 3), 40 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance_for(job: Job, number: int, **overrides) -> dict:
    parts = dict(
        job=job, version_number=number,
        request_body={"model": job.recipe.model, "promptText": job.recipe.prompt, "seed": job.recipe.seed,
                      "ratio": "1280:720", "duration": 5, "promptImage": "data:image/png;base64,iVBORw0KGgo="},
        endpoint_url="http://127.0.0.1:8123/v1/image_to_video",
        task_id="0f0e0d0c-task", output_url="https://cdn.example.com/out/take.mp4?_jwt=abc.def.ghi",
        download_sha256="ab" * 32,
        conform_steps=[{"step": "retime", "from_fps": 24, "to_fps": 24.0},
                       {"step": "colour", "from": "sRGB Encoded Rec.709 (sRGB)", "to": "ACEScg"}],
        keyframe_steps=[{"step": "keyframe", "position": "first", "frame": 1001,
                         "colour": {"from": "ACEScg", "to": "sRGB - Display"}}],
        source_plate={"path": job.shot.source, "frame_range": "1001-1003", "colorspace": "ACEScg",
                      "sha256": "cd" * 32},
        times={"submitted": 1000.0, "finished": 1060.0},
        credits=25, shotloop_version="0.1.0",
    )
    parts.update(overrides)
    return build_provenance(**parts)
