"""Menu commands (GUI, run by a person's click on the main thread: dialogs are fine here)."""
from __future__ import annotations

import nuke

from shotloop.errors import ShotLoopError

from . import collect, runtime, settings, stack
from .loaders import VersionStackLoader, new_container
from .send import send_selected


def send_selected_command() -> None:
    from .recipe_dialog import ask_recipe

    if not nuke.selectedNodes():
        nuke.message("ShotLoop: select the Read nodes (or any image node) to send first.")
        return
    session = runtime.session()
    recipe = ask_recipe(session.last_recipe)
    if recipe is None:
        return
    try:
        send_selected(runtime.host(), recipe, session=session)
    except ShotLoopError as err:
        nuke.message(err.message)


def versions_of_selected() -> None:
    """Fill (or create) the version stacks of the selected Reads and stacks from the store."""
    from . import imprint

    session = runtime.session()
    asked: set[tuple[str, str | None]] = set()
    stacks = imprint.container_nodes()
    for node in nuke.selectedNodes():
        container = imprint.read_container(node)
        if container is not None:
            asked.add((container.shot, container.label))
        elif node.Class() == "Read" and collect.read_source(node):
            asked.add((collect.shot_name_for(collect.read_source(node)), None))
            # a shot renamed after the cut: its stacks remember the Read they came from
            asked.update((c.shot, c.label) for _, c in stacks if c.source_id == node.fullName())
    for shot, label in sorted(asked, key=str):
        session.load_versions(shot, label)
    if not asked:
        nuke.message("Select Read nodes or ShotLoop version stacks first.")


def create_stack() -> None:
    """The Nodes menu entry: an empty stack for the selected Read's shot, filled from the store."""
    selected = nuke.selectedNodes("Read")
    if selected and collect.read_source(selected[-1]):
        shot = collect.shot_name_for(collect.read_source(selected[-1]))
        source = selected[-1].fullName()
    else:
        shot = nuke.getInput("ShotLoop shot name", "")
        source = ""
        if not shot:
            return
    label = nuke.getInput("Version label", "gen") or "gen"
    loader = VersionStackLoader()
    if loader.find_for(shot, label) is None:
        node = stack.create(shot, label)
        from . import imprint

        imprint.write_container(node, new_container(shot, label, source_id=source))
        stack.refresh_look(node)
    runtime.session().load_versions(shot, label)


def link_cut() -> None:
    path = nuke.getFilename("ShotLoop: OTIO cut", "*.otio *.otioz *.otiod *.edl *.xml *.fcpxml")
    if path:
        settings.set_cut_path(path)


def open_panel() -> None:
    from . import panel

    panel.show()
