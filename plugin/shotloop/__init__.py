"""ShotLoop: shots out to video-generation services, conformed versions back.

Importing ``shotloop`` is cheap and host-safe: no media, network or Qt libraries load until
a submodule that needs them is imported.
"""
__version__ = "0.1.0"
