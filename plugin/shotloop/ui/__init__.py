"""The ShotLoop panel (qtpy): Send, Watch and Review, for Nuke and ``shotloop ui``.

Import ``shotloop.ui.panel`` or ``shotloop.ui.app`` explicitly; this package itself imports
nothing, so importing ``shotloop`` never loads a Qt binding.
"""
