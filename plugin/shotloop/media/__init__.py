"""Colour-managed media: keyframes and proxies out, conformed versions back in.

Nothing is imported here, so ``import shotloop.media`` stays cheap and host-safe; the
modules load OpenImageIO and PyAV only when their functions run.

    colour      which OCIO config and colour space names; converting ImageBufs
    fastpath    OCIO-derived, verified LUT + matrix shortcuts for per-frame conversions
    plate       plate frames, plate info, reading frames
    fit         crop/pad plans and ratio sizes
    keyframes   extract_keyframes(): first/last frame → sRGB PNG at the ratio
    proxy       make_proxy(): plate range → H.264 MP4 in sRGB at the ratio
    ingest      conform(): returned clip → half-float EXRs + review movie + thumbnail
    video       PyAV decode/encode; clipsource, clipcolour, framemap, exrwrite, review,
                imageops: the pieces ingest and proxy are built from
"""
