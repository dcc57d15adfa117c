from shotloop.sequence import compact_ranges, frame_path, missing_frames, to_hashes


def test_frame_tokens():
    assert str(frame_path("/p/a.####.exr", 7)) == "/p/a.0007.exr"
    assert str(frame_path("/p/a.%04d.exr", 1001)) == "/p/a.1001.exr"
    assert str(frame_path("/p/a.%d.exr", 5)) == "/p/a.5.exr"
    assert str(frame_path("/p/a.@@@.exr", 5)) == "/p/a.005.exr"
    assert str(frame_path("/p/a.mov", 5)) == "/p/a.mov"
    assert to_hashes("/p/a.%04d.exr") == "/p/a.####.exr"


def test_missing_frames_on_disk(tmp_path):
    for f in (1, 2, 3, 5):
        (tmp_path / f"a.{f:04d}.exr").write_bytes(b"x")
    pattern = str(tmp_path / "a.####.exr")
    assert missing_frames(pattern, range(1, 7)) == [4, 6]
    assert compact_ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
