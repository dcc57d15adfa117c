"""Paths ↔ URLs, including Windows drives and UNC paths, checked against OTIO's own helper."""
import opentimelineio as otio
import pytest

from shotloop.edit import urls


@pytest.mark.parametrize("path, url", [
    ("/show/a b/c.mov", "file:///show/a%20b/c.mov"),
    ("C:\\show\\a b.mov", "file:///C:/show/a%20b.mov"),
    ("C:/show/x.exr", "file:///C:/show/x.exr"),
    ("\\\\server\\share\\plates\\x.mov", "file://server/share/plates/x.mov"),
    ("//server/share/x.mov", "file://server/share/x.mov"),
    ("media/a b.mov", "media/a b.mov"),
    ("/show/sh#1/x.mov", "file:///show/sh%231/x.mov"),
])
def test_path_to_url_and_back(path, url):
    assert urls.path_to_url(path) == url
    expected = path.replace("\\", "/")
    assert urls.url_to_path(url) == expected
    # OTIO's reader of URLs agrees with ours on what we write.
    assert otio.url_utils.filepath_from_url(url).replace("\\", "/") == expected


@pytest.mark.parametrize("stored, path", [
    ("file://localhost/show/sh020%20comp.mov", "/show/sh020 comp.mov"),
    ("file:///C:/show/x.mov", "C:/show/x.mov"),
    ("/show/plain path.mov", "/show/plain path.mov"),  # adapters keep plain paths verbatim
    ("file:///show/sh010.####.exr", "/show/sh010.####.exr"),  # '#' is a frame token, not a fragment
    ("D:\\cut\\x.mov", "D:/cut/x.mov"),
])
def test_stored_forms_resolve(stored, path):
    assert urls.url_to_path(stored) == path


def test_relative_paths_resolve_against_a_base(tmp_path):
    assert urls.url_to_path("media/a b.mov", tmp_path) == str(tmp_path / "media" / "a b.mov")
    assert urls.url_to_path("plates/sh010.%04d.exr", tmp_path) == str(tmp_path / "plates" / "sh010.%04d.exr")
    assert urls.url_to_path("../plates/x.mov", tmp_path / "cuts") == str(tmp_path / "plates" / "x.mov")
    assert urls.url_to_path("plates/x.mov", "C:\\show\\cuts") == "C:/show/cuts/plates/x.mov"
    assert urls.url_to_path("/abs/x.mov", tmp_path) == "/abs/x.mov"


def test_remote_urls_are_not_local_paths():
    assert urls.local_path("https://example.invalid/x.mov") is None
    assert urls.local_path("") is None
    with pytest.raises(ValueError):
        urls.url_to_path("s3://bucket/x.mov")
    assert urls.path_to_url("https://example.invalid/x.mov") == "https://example.invalid/x.mov"
    assert not urls.is_url("C:/x.mov") and urls.is_url("file:///x") and urls.is_absolute("//srv/s/x")
