"""The panel's widgets on their own (offscreen Qt, real files, no agent)."""
from __future__ import annotations

import threading
from pathlib import Path

import opentimelineio as otio
import pytest
from qtpy.QtCore import QPoint, Qt
from qtpy.QtGui import QColor, QImage

from shotloop.media.synth import write_exr_plate
from shotloop.model import FrameRange, KeyframeMode, Resolution, Shot, Version
from shotloop.ui.background import Background
from shotloop.ui.dispatch import QtDispatcher
from shotloop.ui.frames import FrameStore, proxy_frames, version_loader
from shotloop.ui.local_media import local_services
from shotloop.ui.panel import ShotLoopPanel
from shotloop.ui.profile import ProfileInfo
from shotloop.ui.recipe_form import RecipeForm
from shotloop.ui.services import MediaServices
from shotloop.ui.shot_list import ShotEntry
from shotloop.ui.viewer import CompareViewer
from tests.ui.helpers import profile_dict

pytestmark = pytest.mark.qt


def flat(colour: QColor, size=(64, 36)) -> QImage:
    image = QImage(size[0], size[1], QImage.Format.Format_RGB888)
    image.fill(colour)
    return image


def combo_data(combo) -> list:
    return [combo.itemData(i) for i in range(combo.count())]


def test_dispatcher_runs_worker_results_on_the_gui_thread(qtbot):
    dispatcher = QtDispatcher()
    ran_on: list[threading.Thread] = []
    worker = threading.Thread(target=lambda: dispatcher(lambda: ran_on.append(threading.current_thread())))
    worker.start()
    worker.join(timeout=5)
    qtbot.waitUntil(lambda: bool(ran_on), timeout=5000)
    assert ran_on == [threading.main_thread()]


def test_dispatcher_reports_a_failing_callback_as_one_line(qtbot):
    dispatcher = QtDispatcher()
    with qtbot.waitSignal(dispatcher.failed, timeout=5000) as signal:
        dispatcher(lambda: 1 / 0)
    assert signal.args[0].startswith("internal error in the panel: division by zero")


def test_recipe_form_offers_only_what_the_model_allows(qtbot):
    form = RecipeForm()
    qtbot.addWidget(form)
    form.set_profile(ProfileInfo.from_dict(profile_dict()))
    form.set_reference_shot(Shot("sh010", "/p.####.exr", FrameRange(1, 48), 24.0, Resolution(1920, 1080)))
    form.model.setCurrentIndex(form.model.findData("veo3.1"))
    assert combo_data(form.ratio) == ["1280:720", "720:1280", "1080:1920", "1920:1080"]
    assert combo_data(form.duration) == ["auto", 4, 6, 8]
    assert combo_data(form.keyframes) == ["first", "first_last"]
    form.keyframes.setCurrentIndex(1)
    assert form.recipe().keyframes is KeyframeMode.FIRST_LAST
    form.model.setCurrentIndex(form.model.findData("gen4_turbo"))
    assert combo_data(form.duration) == ["auto", *range(2, 11)]
    assert combo_data(form.keyframes) == ["first"]
    assert form.recipe().ratio == "1280:720"  # kept: gen4_turbo offers it too
    assert "first keyframe only" in form.limits_label.text()

    with qtbot.waitSignal(form.changed, timeout=2000):
        form.prompt.setPlainText("🌊" * 501)
    assert form.prompt_count.text() == "1002 / 1000 characters (UTF-16) — 2 over"
    form.endpoint.setCurrentIndex(form.endpoint.findData("text_to_video"))
    assert form.recipe().keyframes is KeyframeMode.NONE
    assert "required" in form.prompt_count.text()


def test_viewer_flips_and_wipes_between_a_and_b(qtbot):
    viewer = CompareViewer()
    qtbot.addWidget(viewer)
    viewer.resize(400, 260)
    viewer.set_images(flat(QColor(220, 30, 30)), flat(QColor(30, 30, 220)))
    viewer.set_mode("wipe")
    viewer.set_wipe(0.5)
    image = viewer.grab().toImage()
    row = 260 // 2 + 10
    assert image.pixelColor(60, row).red() > 180 and image.pixelColor(340, row).blue() > 180
    viewer.set_mode("b")
    assert viewer.grab().toImage().pixelColor(60, row).blue() > 180
    viewer.set_mode("wipe")
    with qtbot.waitSignal(viewer.wipe_moved, timeout=2000):
        qtbot.mouseClick(viewer, Qt.MouseButton.LeftButton, pos=QPoint(300, row))
    assert 0.7 < viewer.wipe < 0.8
    assert viewer.grab().toImage().pixelColor(200, row).red() > 180  # A now reaches past the middle
    with pytest.raises(ValueError):
        viewer.set_mode("side-by-side")


def version_in(folder: Path, frames=(1001, 1004)) -> Version:
    return Version(shot="sh010", label="gen", number=2, path=str(folder),
                   frames=str(folder / "sh010_gen_v002.####.exr"), frame_range=FrameRange(*frames),
                   fps=24.0, resolution=Resolution(64, 36))


def test_version_frames_come_from_image_proxies_when_there_are_some(qtbot, tmp_path):
    folder = tmp_path / "sh010" / "gen" / "v002"
    (folder / "proxy").mkdir(parents=True)
    for frame in range(1001, 1005):
        assert flat(QColor(10 * (frame - 1000), 100, 50)).save(str(folder / "proxy" / f"sh010_gen_v002.{frame}.jpg"))
    version = version_in(folder)
    assert [f for f, _ in proxy_frames(version)] == [1001, 1002, 1003, 1004]
    dispatcher = QtDispatcher()
    background = Background(dispatcher)
    store = FrameStore(background)
    loader, origin = version_loader(version, MediaServices())
    assert origin == "image proxies"
    frame_set = store.load("v2", loader, origin)
    qtbot.waitUntil(lambda: frame_set.complete, timeout=10000)
    assert sorted(frame_set.images) == [1001, 1002, 1003, 1004]
    assert frame_set.nearest(1010) is frame_set.images[1004]
    background.close()


def test_without_media_or_proxies_a_host_panel_shows_the_thumbnail(qtbot, tmp_path):
    folder = tmp_path / "v002"
    folder.mkdir()
    assert flat(QColor(0, 200, 0), (96, 54)).save(str(folder / "sh010_gen_v002.thumb.jpg"))
    version = version_in(folder)
    version = Version(**{**version.__dict__, "thumbnail": str(folder / "sh010_gen_v002.thumb.jpg")})
    loader, origin = version_loader(version, MediaServices())
    assert origin.startswith("thumbnail only")
    frames = list(loader())
    assert [f for f, _ in frames] == [1001] and frames[0][1].width() == 96


def test_local_media_previews_keyframes_as_they_will_be_sent(tmp_path):
    pattern = write_exr_plate(tmp_path / "plate", "sh010", 1001, 1012, 160, 90)
    shot = Shot("sh010", pattern, FrameRange(1001, 1012), 24.0, Resolution(160, 90))
    from shotloop.model import Recipe

    services = local_services()
    images = services.keyframe_previews(shot, Recipe(model="veo3.1", keyframes=KeyframeMode.FIRST_LAST,
                                                     ratio="720:1280"), tmp_path / "work")
    assert [role for role, _ in images] == ["first", "last"]
    for _, image in images:
        assert not image.isNull()
        assert image.width() < image.height()  # fitted to the portrait ratio
    plate = list(services.plate_frames(shot, 80))
    assert [f for f, _ in plate] == list(range(1001, 1013))
    assert plate[0][1].width() == 80
    # scene-linear highlights come out display-referred: the disc is bright, the sky is not
    sky, disc = plate[0][1].pixelColor(40, 2), plate[0][1].pixelColor(int(80 * 0.15), int(45 * 0.55))
    assert disc.red() > 240 and sky.red() < disc.red()


def write_cut(path: Path) -> Path:
    timeline = otio.schema.Timeline(name="reel1")
    track = otio.schema.Track(name="V1")
    timeline.tracks.append(track)
    for index, name in enumerate(("sh010", "sh020")):
        rate = 24
        media = otio.schema.ExternalReference(
            target_url=str(path.parent / f"{name}.mov"),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                    otio.opentime.RationalTime(96, rate)))
        clip = otio.schema.Clip(name=name, media_reference=media, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(24, rate), otio.opentime.RationalTime(48 + 12 * index, rate)))
        track.append(clip)
    otio.adapters.write_to_file(timeline, str(path))
    return path


def test_send_view_reads_a_cut_and_checks_the_batch(qtbot, tmp_path):
    panel = ShotLoopPanel(autostart=False)
    qtbot.addWidget(panel)
    session = panel.session
    session.profile = ProfileInfo.from_dict(profile_dict(credit_balance=30.0))
    session.profile_changed.emit(session.profile)
    view = panel.send_view
    view.load_cut(write_cut(tmp_path / "reel1.otio"))
    qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=10000)
    assert [e.shot.name for e in view.table.entries()] == ["sh010", "sh020"]
    assert view.root_edit.text() == str(tmp_path / "shotloop")
    assert "media not found" in view.table.item(0, 5).text()
    view.form.model.setCurrentIndex(view.form.model.findData("gen4_turbo"))
    view.refresh()
    assert [p.recipe.duration for p in view.plans] == [2, 3]
    assert view.estimate.credits == 25.0 and view.send_button.isEnabled()
    view.table.set_checked(["sh010", "sh020"])
    view.batch_budget.setValue(20)
    view.refresh()
    assert not view.send_button.isEnabled()
    assert "over this batch's budget (20)" in view.problems.text()
    view.batch_budget.setValue(0)
    view.form.model.setCurrentIndex(view.form.model.findData("gen4.5"))  # 12 credits/s
    view.refresh()
    assert "over the account's credit balance (30)" in view.problems.text()
    requests = view.requests()
    assert {r.store_root for r in requests} == {str(tmp_path / "shotloop")}
    assert requests[0].edit is not None and requests[0].edit.clip == "sh010"


def test_send_view_takes_the_hosts_selection_on_the_main_thread(qtbot, tmp_path):
    panel = ShotLoopPanel(autostart=False)
    qtbot.addWidget(panel)
    assert not panel.send_view.use_selection.isEnabled()
    called_on = []

    def provider():
        from shotloop.host import ShotSelection

        called_on.append(threading.current_thread())
        return [ShotSelection("Read1", Shot("sh030", "/p/sh030.####.exr", FrameRange(1001, 1010), 25.0,
                                            Resolution(64, 36)))]

    panel.attach(shots_provider=provider, store_root=lambda: str(tmp_path / "store"))
    panel.send_view.use_selection.click()
    assert called_on == [threading.main_thread()]
    assert [e.shot.name for e in panel.send_view.table.checked()] == ["sh030"]
    assert panel.send_view.root_edit.text() == str(tmp_path / "store")
    assert isinstance(panel.send_view.table.entries()[0], ShotEntry)


def test_the_panel_in_a_host_loads_no_media_stack(tmp_path):
    """What Nuke loads: the panel, its views and the send pass, but never OIIO, PyAV or numpy."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from qtpy.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from shotloop.ui.panel import WIDGET_EXPRESSION\n"
        "panel = eval(WIDGET_EXPRESSION)()\n"
        "panel.autostart = False\n"
        "panel.show(); app.processEvents()\n"
        "import shotloop.publish.send\n"
        "print(sorted(m for m in ('OpenImageIO', 'av', 'numpy', 'nuke', 'bpy', 'uvicorn') if m in sys.modules))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SHOTLOOP_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_an_unreachable_agent_is_one_line_and_send_stops_waiting(qtbot, tmp_path):
    from shotloop.client import AgentAPI

    panel = ShotLoopPanel(connect=lambda: AgentAPI.connect(tmp_path / "no-agent", start=False))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.connection.text() == "○ Agent not reachable", timeout=10_000)
    assert panel.message.text().startswith("no agent is running for ")
    assert "Fix: start it with `shotloop agent`" in panel.message.text()
    assert panel.reconnect.isVisible()

    panel.session.profile = ProfileInfo.from_dict(profile_dict())
    panel.session.profile_changed.emit(panel.session.profile)
    pattern = write_exr_plate(tmp_path / "plate", "sh010", 1001, 1012, 64, 36)
    shot = Shot("sh010", pattern, FrameRange(1001, 1012), 24.0, Resolution(64, 36))
    panel.send_view.set_entries([ShotEntry(shot)], "test")
    panel.send_view.form.model.setCurrentIndex(panel.send_view.form.model.findData("gen4_turbo"))
    panel.send_view.refresh()
    panel.send_view.send_button.click()
    assert not panel.send_view.send_button.isEnabled()
    qtbot.waitUntil(lambda: panel.send_view.send_button.isEnabled(), timeout=10_000)
    assert panel.send_view.result_label.text().startswith("Nothing was sent:\nno agent is running")
