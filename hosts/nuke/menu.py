# ShotLoop: runs only in interactive GUI sessions (menus, panel).
import logging

try:
    import shotloop_nuke.menus

    shotloop_nuke.menus.build()
except ImportError as _exc:
    logging.getLogger("shotloop").warning("ShotLoop menus not added: %s", _exc)
