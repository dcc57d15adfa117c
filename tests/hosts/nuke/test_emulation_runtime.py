"""The emulated ``nuke``: main-thread queue, progress, callbacks, UI, scripts and renders (A7-A9, B5-B10)."""
from __future__ import annotations

import gc
import threading

import pytest

import nuke_fake


def _in_worker(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_execute_in_main_thread_queues_from_workers_only(nk):
    with pytest.raises(RuntimeError, match="main thread"):
        nk.executeInMainThread(lambda: None)
    seen = []
    thread, box = _in_worker(lambda: nk.executeInMainThread(seen.append, args=["a", "b"]))
    thread.join(5)
    assert "error" not in box and seen == []
    assert nuke_fake.pump() == 1 and seen == [["a", "b"]]  # a list is one argument, as documented


def test_with_result_returns_value_and_swallows_exceptions(nk):
    thread, box = _in_worker(lambda: nk.executeInMainThreadWithResult(lambda x: x * 2, args=21))
    _pump_until_done(thread)
    assert box["value"] == 42

    def boom():
        raise KeyError("inside")

    thread, box = _in_worker(lambda: nk.executeInMainThreadWithResult(boom))
    _pump_until_done(thread)
    assert box == {"value": None}


def _pump_until_done(thread):
    while thread.is_alive():
        nuke_fake.pump()
        thread.join(0.01)


def test_terminal_mode_has_no_main_thread_queue_and_no_gui(nk):
    import nukescripts

    nuke_fake.reset(gui=False)
    thread, box = _in_worker(lambda: nk.executeInMainThread(lambda: None))
    thread.join(5)
    assert "non-gui" in str(box["error"])
    with pytest.raises(RuntimeError):
        nk.menu("Nuke")
    with pytest.raises(RuntimeError):
        nk.toolbar("Nodes")
    assert not hasattr(nukescripts, "PythonPanel") and not hasattr(nukescripts, "registerWidgetAsPanel")
    assert nk.GUI is False and nk.env["gui"] is False
    nuke_fake.reset(gui=True)
    assert hasattr(nukescripts, "PythonPanel")


def test_progress_task_is_per_instance_sticky_and_dismissed_when_dropped(nk):
    task = nk.ProgressTask("Work")
    thread, box = _in_worker(lambda: (task.setProgress(40), task.setMessage("from a worker")))
    thread.join(5)
    assert "error" not in box
    record = nuke_fake.progress_log()[-1]
    assert record.progress == [40] and record.messages == ["from a worker"]
    assert not task.isCancelled()
    nuke_fake.cancel_progress("Work")
    assert task.isCancelled() and task.isCancelled()
    other = nk.ProgressTask("Other")
    assert not other.isCancelled()
    del task
    gc.collect()
    assert record.finished


def test_callbacks_dedupe_wrap_args_and_run_class_before_star(nk):
    calls = []

    def note(tag):
        calls.append((tag, nk.thisNode().Class()))

    with pytest.raises(ValueError):
        nk.addOnCreate("not callable")
    nk.addOnCreate(note, args="star")
    nk.addOnCreate(note, args=("read",), nodeClass="Read")
    nk.addOnCreate(note, args="star")  # the same again: moved, not doubled
    nk.nodes.Read()
    assert calls == [("read", "Read"), ("star", "Read")]
    nk.removeOnCreate(note, args="star")
    calls.clear()
    nk.nodes.NoOp()
    assert calls == []


def test_on_create_fires_for_every_node_on_load_children_before_group(nk, tmp_path):
    group = nk.nodes.Group()
    with group:
        nk.nodes.NoOp()
    nk.scriptSaveAs(str(tmp_path / "s.nk"), overwrite=1)
    order, loads = [], []
    nk.addOnCreate(lambda: order.append(nk.thisNode().Class()))
    nk.addOnScriptLoad(lambda: loads.append(list(order)))
    nk.scriptOpen(str(tmp_path / "s.nk"))
    assert order.index("NoOp") < order.index("Group") < order.index("Root")
    assert loads == [order]


def test_knob_changed_policies(nk):
    seen = []
    nk.addKnobChanged(lambda: seen.append(nk.thisKnob().name()), nodeClass="NoOp")
    node = nk.nodes.NoOp()
    node["label"].setValue("programmatic")
    nuke_fake.user_set(node["label"], "user, panel closed")
    assert seen == []  # <= 16 documented: only user edits in an open panel
    nuke_fake.open_panel(node)
    nuke_fake.user_set(node["label"], "user, panel open")
    assert seen == ["showPanel", "label"]
    nuke_fake.set_knob_changed_policy("always")
    seen.clear()
    nuke_fake.close_panel(node)
    seen.clear()
    node["label"].setValue("programmatic")
    assert seen == ["label"]  # 17.1 documented: any change


def test_menus_and_widget_panels(nk):
    import nukescripts

    menu = nk.menu("Nuke").addMenu("Tools")
    item = menu.addCommand("Sub/Do it", "nuke.nodes.NoOp()", "ctrl+shift+d")
    assert nuke_fake.menu_tree()["Nuke"]["Tools"]["Sub"]["Do it"]["shortcut"] == "ctrl+shift+d"
    item.invoke()
    assert nk.allNodes("NoOp")
    nukescripts.registerWidgetAsPanel("NotImportedAnywhere", "Mine", "uk.test.mine")
    assert "Mine" in nuke_fake.menu_tree()["Pane"]
    with pytest.raises(NameError):
        nuke_fake.restore_panel("uk.test.mine")  # evaluated later, in a bare namespace


def test_dialogs_need_a_scripted_answer_and_fail_in_terminal_mode(nk):
    with pytest.raises(AssertionError, match="unexpected"):
        nk.ask("Really?")
    nuke_fake.queue_dialog_response("ask", True)
    assert nk.ask("Really?") is True
    nuke_fake.reset(gui=False)
    nk.message("printed")
    with pytest.raises(RuntimeError):
        nk.getInput("name?")


def test_save_rules_in_terminal_mode(nk, tmp_path):
    nuke_fake.reset(gui=False)
    path = tmp_path / "t.nk"
    with pytest.raises(RuntimeError):
        nk.scriptSave()
    nk.scriptSaveAs(str(path))
    with pytest.raises(RuntimeError):
        nk.scriptSaveAs(str(path))  # never overwrites without overwrite=1 in terminal mode
    nk.scriptSaveAs(str(path), overwrite=1)
    copy = tmp_path / "copy.nk"
    nk.scriptSave(str(copy))
    assert copy.exists() and nk.root().name() == str(path)


def test_execute_writes_real_frames_through_the_graph(nk, tmp_path):
    import OpenImageIO as oiio

    from tests.media_fixtures import make_exr_plate, plate_rgb

    pattern = make_exr_plate(tmp_path / "in", "plate", 1, 3, 32, 16)
    read = nk.nodes.Read(file=pattern, first=1, last=3)
    lift = nk.nodes.Constant()
    lift["color"].setValue([0.25, 0.25, 0.25, 0.0])
    merge = nk.nodes.Merge2(inputs=[read, lift])
    merge["operation"].setValue("plus")
    write = nk.nodes.Write(inputs=[merge], file=str(tmp_path / "out" / "r.####.exr"))
    with pytest.raises(RuntimeError, match="directory"):
        nk.execute(write, 1, 3)
    write["create_directories"].setValue(True)
    rendered = []
    nk.addAfterFrameRender(lambda: rendered.append(nk.frame()))
    nk.execute(write, 1, 3)
    assert rendered == [1, 2, 3]
    pixels = oiio.ImageBuf(str(tmp_path / "out" / "r.0003.exr")).get_pixels(oiio.FLOAT)
    assert pixels.shape == (16, 32, 3)
    expected = [c + 0.25 for c in plate_rgb(3, 1, 3)]
    assert pixels[0, 0].tolist() == pytest.approx(expected, abs=2e-3)
    assert nuke_fake.render_log()[-1]["modal"] is True
    write["disable"].setValue(True)
    with pytest.raises(RuntimeError):
        nk.execute(write, 1, 1)
    with pytest.raises(RuntimeError):
        nk.execute(nk.nodes.Write(), 1, 1)


def test_script_close_fires_on_script_close_and_asks_about_unsaved_changes(nk, tmp_path):
    closed = []
    nk.addOnScriptClose(lambda: closed.append(nk.root().name()))
    nk.scriptSaveAs(str(tmp_path / "c.nk"), overwrite=1)
    nk.nodes.NoOp()
    nuke_fake.queue_dialog_response("ask", True)
    assert nk.scriptClose()
    assert closed == [str(tmp_path / "c.nk")] and nk.allNodes() == [] and nk.root().name() == "Root"
    nk.scriptOpen(str(tmp_path / "c.nk"))
    assert nk.allNodes("NoOp")  # saved before closing
