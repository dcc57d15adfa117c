"""ShotLoop for Blender's Video Sequence Editor: register and unregister, nothing else.

The modules: properties (data), operators and panels (UI), runtime (the live session, its
timer and handlers), session (agent answers → scene), collect / timeline (strips → shots and
the OTIO cut), loaders (versions as strips), host (the Host protocol), send, dispatch, feed.
"""
from __future__ import annotations


def register() -> None:
    from . import operators, panels, properties, runtime

    properties.register()
    operators.register()
    panels.register()
    runtime.start()


def unregister() -> None:
    from . import operators, panels, properties, runtime

    runtime.stop()
    panels.unregister()
    operators.unregister()
    properties.unregister()
