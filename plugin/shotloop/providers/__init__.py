"""Generation services behind one interface (``base.Provider``).

Import ``shotloop.providers.base`` for the interface and ``registry.load_provider`` to get
a provider for a settings profile; concrete providers are imported only on demand.
"""
