"""Blender's part of the send pass (pyblish): the host collector in front of the core's plugins."""
