"""The emulated ``nuke``: creating, naming, selecting, connecting and deleting nodes (A3, B4)."""
from __future__ import annotations

import re

import pytest


def test_nodes_factory_ignores_knob_defaults_and_selection(nk):
    nk.knobDefault("Blur.size", "5")
    nk.knobDefault("Switch.which", "1")
    upstream = nk.nodes.NoOp()
    upstream.setSelected(True)
    switch = nk.nodes.Switch()
    assert switch["which"].value() == 0.0
    assert switch.input(0) is None
    assert upstream.isSelected() and not switch.isSelected()


def test_create_node_applies_defaults_connects_to_selection_and_selects(nk):
    nk.knobDefault("Switch.which", "1")
    upstream = nk.nodes.NoOp()
    upstream.setSelected(True)
    created = nk.createNode("Switch", "name Picker", inpanel=False)
    assert created.name() == "Picker"
    assert created["which"].value() == 1.0
    assert created.input(0) is upstream
    assert nk.selectedNodes() == [created]


def test_names_are_unique_per_group_and_auto_numbered(nk):
    first, second = nk.nodes.Read(), nk.nodes.Read()
    assert re.fullmatch(r"Read\d+", first.name()) and first.name() != second.name()
    assert re.fullmatch(r"Merge\d+", nk.nodes.Merge2().name())
    second.setName(first.name())  # uncollide: silently renamed, read it back
    assert second.name() != first.name()
    with pytest.raises(ValueError):
        second.setName(first.name(), uncollide=False)
    group = nk.nodes.Group()
    with group:
        inner = nk.nodes.Read()
    assert inner.name() == first.name()  # another group, another namespace
    assert nk.toNode(f"{group.name()}.{inner.name()}") is inner
    freed = first.name()
    nk.delete(first)
    third = nk.nodes.NoOp()
    third.setName(freed)
    assert third.name() == freed


def test_selected_node_raises_without_selection_and_order_is_topological(nk):
    with pytest.raises(ValueError):
        nk.selectedNode()
    down = nk.nodes.NoOp()
    up = nk.nodes.Read()
    down.setInput(0, up)
    for node in (down, up):
        node.setSelected(True)
    assert nk.selectedNodes() == [up, down]
    assert nk.selectedNode() is down
    assert nk.selectedNodes("Read") == [up]


def test_merge_inputs_b_first_then_a_and_switch_inputs_grow(nk):
    b, a = nk.nodes.Read(), nk.nodes.Read()
    merge = nk.nodes.Merge2(inputs=[b, a])
    assert merge.input(0) is b and merge.input(1) is a and merge.inputs() == 2
    switch = nk.nodes.Switch()
    assert switch.setInput(5, a) and switch.inputs() == 6
    assert not nk.nodes.Read().setInput(0, a)  # a Read has no inputs


def test_deleted_nodes_detach_and_free_their_dependents(nk):
    read = nk.nodes.Read()
    noop = nk.nodes.NoOp()
    noop.setInput(0, read)
    nk.delete(read)
    assert noop.input(0) is None
    with pytest.raises(ValueError):
        read.name()
    assert read not in nk.allNodes()


def test_groups_children_context_and_all_nodes(nk):
    group = nk.nodes.Group()
    group.begin()
    inner = nk.nodes.NoOp()
    assert nk.allNodes() == [inner]
    group.end()
    assert inner not in nk.allNodes()
    assert inner in nk.allNodes(recurseGroups=True)
    assert nk.allNodes("Group") == [group]
    assert inner.parent() is group and group.node(inner.name()) is inner
    assert nk.root() is nk.Root() and nk.toNode("root") is nk.root()
    assert nk.toNode("preferences")["UISequenceDisplayMode"].value()


def test_fresh_gui_session_has_a_viewer_and_terminal_mode_does_not(nk):
    import nuke_fake

    assert [n.Class() for n in nk.allNodes()] == ["Viewer"]
    nuke_fake.reset(gui=False)
    assert nk.allNodes() == []
    assert nk.nodes.Read().screenWidth() == 0


def test_root_settings_and_script_identity(nk, tmp_path):
    root = nk.root()
    assert root.name() == "Root" and nk.script_directory() == ""
    with pytest.raises(RuntimeError):
        nk.scriptName()
    assert (root.firstFrame(), root.lastFrame(), root.realFps()) == (1, 100, 24.0)
    assert root.format().name() == "2K_Super_35(full-ap)"
    root["fps"].setValue(23.976)
    assert root.realFps() == pytest.approx(23.976) and root.fps() == 24
    assert root["colorManagement"].value() == "Nuke" and root["workingSpaceLUT"].value() == "linear"
    root["colorManagement"].setValue("OCIO")
    root["OCIO_config"].setValue("aces_1.2")
    root["workingSpaceLUT"].setValue("ACES - ACEScg")
    assert nk.usingOcio()
    path = tmp_path / "a.nk"
    nk.scriptSaveAs(str(path), overwrite=1)
    assert root.name() == str(path) and not root.modified()
    nk.nodes.NoOp()
    assert root.modified()


def test_save_and_open_round_trip_graph(nk, tmp_path):
    read = nk.nodes.Read(file="/p/a b/plate.####.exr", first=1001, last=1010)
    group = nk.nodes.Group()
    assert not group.setInput(0, read)  # no Input node inside yet: no input to connect
    with group:
        plate = nk.nodes.Input()
        nk.nodes.Output(inputs=[plate])
    assert group.setInput(0, read)
    merge = nk.nodes.Merge2(inputs=[read, group])
    merge["operation"].setValue("difference")
    path = tmp_path / "g.nk"
    nk.scriptSaveAs(str(path), overwrite=1)
    name = merge.name()
    nk.scriptOpen(str(path))
    merge = nk.toNode(name)
    read, group = merge.input(0), merge.input(1)
    assert read.Class() == "Read" and group.Class() == "Group"
    assert read["file"].toScript() == "/p/a b/plate.####.exr" and read["first"].value() == 1001
    assert group.input(0) is read and merge["operation"].value() == "difference"
    assert [n.Class() for n in group.nodes()] == ["Input", "Output"]
    assert nk.toNode(f"{group.name()}.Output1").input(0).Class() == "Input"
