"""The emulated ``nuke`` behaves as reference/nuke.md documents: knobs and their values (B10)."""
from __future__ import annotations

import json

import pytest


def test_missing_knob_raises_name_error_and_knob_returns_none(nk):
    read = nk.nodes.Read()
    with pytest.raises(NameError):
        read["no_such_knob"]
    assert read.knob("no_such_knob") is None


def test_value_types_differ_by_class(nk):
    read, write, switch = nk.nodes.Read(), nk.nodes.Write(), nk.nodes.Switch()
    assert isinstance(read["first"].value(), int) and read["first"].value() == 1
    assert isinstance(write["first"].value(), float) and write["first"].value() == 1.0
    assert isinstance(switch["which"].value(), float)
    on_error = read["on_error"]
    on_error.setValue("black")
    assert on_error.value() == "black" and on_error.getValue() == 1.0
    on_error.setValue(3)
    assert on_error.value() == "nearest frame"
    with pytest.raises(ValueError):
        on_error.setValue("nonsense")


def test_enumeration_items_with_tab_display_text(nk):
    write = nk.nodes.Write()
    write["file_type"].setValue("mov")
    assert write["file_type"].value() == "mov"
    assert "mov\t\t\tffmpeg" in write["file_type"].values()


def test_string_knob_refuses_non_strings_and_int_knob_fractions(nk):
    knob = nk.String_Knob("x", "x")
    nk.nodes.NoOp().addKnob(knob)
    with pytest.raises(TypeError):
        knob.setValue(3)
    read = nk.nodes.Read()
    with pytest.raises(TypeError):
        read["first"].setValue(1.5)
    read["first"].setValue(1001.0)
    assert read["first"].value() == 1001


def test_file_knob_printf_value_hash_script_and_evaluate(nk, monkeypatch):
    monkeypatch.setenv("PLATES", "/mnt/plates")
    read = nk.nodes.Read()
    read["file"].setValue("[getenv PLATES]/sh010.####.exr")
    assert read["file"].value() == "[getenv PLATES]/sh010.%04d.exr"
    assert read["file"].toScript() == "[getenv PLATES]/sh010.####.exr"
    assert read["file"].getValue() == "/mnt/plates/sh010.%04d.exr"
    assert read["file"].evaluate(1005) == "/mnt/plates/sh010.1005.exr"
    assert nk.filename(read) == "/mnt/plates/sh010.%04d.exr"
    nk.frame(1007)
    assert nk.filename(read, nk.REPLACE) == "/mnt/plates/sh010.1007.exr"


def test_unemulated_tcl_fails_loudly(nk):
    read = nk.nodes.Read()
    read["file"].setValue("[lindex {a b} 0]/x.exr")
    with pytest.raises(NotImplementedError):
        read["file"].getValue()


def test_set_value_on_file_does_not_touch_ranges_but_from_user_text_does(nk):
    nk.addFormat("64 36 0 0 64 36 1 tiny")
    import nuke_fake

    nuke_fake.register_media("/p/sh010.####.exr", 1001, 1024, 64, 36)
    read = nk.nodes.Read()
    read["file"].setValue("/p/sh010.####.exr")
    assert (read["first"].value(), read["last"].value(), read["origset"].value()) == (1, 1, False)
    read["file"].fromUserText("/p/sh010.####.exr")
    assert [read[k].value() for k in ("first", "last", "origfirst", "origlast")] == [1001, 1024, 1001, 1024]
    assert read["format"].value().name() == "tiny" and read["origset"].value() is True
    read["file"].fromUserText("/p/sh010.####.exr 1010-1012")
    assert (read["first"].value(), read["last"].value()) == (1010, 1012)


def test_read_of_a_real_sequence_reports_its_header(nk, tmp_path):
    from tests.media_fixtures import make_exr_plate

    pattern = make_exr_plate(tmp_path, "plate", 5, 8, 80, 40)
    read = nk.nodes.Read(file=pattern)
    assert (read.width(), read.height()) == (80, 40)
    read["file"].fromUserText(pattern)
    assert (read.firstFrame(), read.lastFrame()) == (5, 8)
    assert read.metadata("input/width") == 80


def test_invisible_user_knob_json_survives_save_clear_open_byte_for_byte(nk, tmp_path):
    group = nk.nodes.Group()
    hidden = nk.String_Knob("payload", "")
    hidden.setFlag(nk.INVISIBLE)
    group.addKnob(hidden)
    text = json.dumps({"quote": 'a "b" {c} [d] $e \\ f', "lines": "one\ntwo", "tab": "x\ty"})
    hidden.setValue(text)
    transient = nk.String_Knob("transient", "")
    transient.setFlag(nk.DO_NOT_WRITE)
    group.addKnob(transient)
    transient.setValue("never saved")
    path = tmp_path / "s.nk"
    nk.scriptSaveAs(str(path), overwrite=1)
    assert "never saved" not in path.read_text()
    nk.scriptClear()
    assert nk.toNode("Group1") is None
    nk.scriptOpen(str(path))
    again = nk.toNode("Group1")
    assert again["payload"].value() == text
    assert again["payload"].getFlag(nk.INVISIBLE)
    assert again.knob("transient") is None


def test_knob_flags_and_type_ids(nk):
    node = nk.nodes.NoOp()
    for knob in (nk.String_Knob("s"), nk.File_Knob("f"), nk.Int_Knob("i"), nk.Enumeration_Knob("e", "e", ["a"]),
                 nk.Boolean_Knob("b"), nk.Double_Knob("d"), nk.Text_Knob("t"), nk.PyScript_Knob("p")):
        node.addKnob(knob)
    ids = {name: nk.knob(f"{node.name()}.{name}", type=True) for name in "sfiebdtp"}
    assert ids == {"s": 1, "f": 2, "i": 3, "e": 4, "b": 6, "d": 7, "t": 26, "p": 22}
    assert node.knob("User") is not None  # built-in nodes get a User tab for their first user knob
    with pytest.raises(ValueError):
        node.addKnob(nk.String_Knob("s"))
    node["s"].setFlag(nk.INVISIBLE | nk.READ_ONLY)
    assert node["s"].getFlag(nk.INVISIBLE) and not node["s"].visible()
    node["s"].clearFlag(nk.READ_ONLY)
    assert not node["s"].getFlag(nk.READ_ONLY)


def test_expression_on_switch_follows_an_enumeration_index(nk):
    group = nk.nodes.Group()
    group.addKnob(nk.Enumeration_Knob("pick", "pick", ["a", "b", "c"]))
    with group:
        switch = nk.nodes.Switch()
    switch["which"].setExpression("parent.pick")
    group["pick"].setValue("c")
    assert switch["which"].value() == 2.0
    switch["which"].setExpression("frame * 2")
    with pytest.raises(NotImplementedError):
        switch["which"].value()
