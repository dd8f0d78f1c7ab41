"""pydantic's plugin discovery, skipped: promoplan uses no pydantic plugins.

Discovery scans every installed distribution's metadata; skipping it saves tens
of milliseconds per run. :mod:`promoplan.cli` calls
:func:`without_plugin_discovery` before anything imports pydantic.
"""

from __future__ import annotations

import os
import sys
import types

_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugins() -> tuple[()]:
    """pydantic's ``get_plugins`` with every plugin disabled: none."""
    return ()


def without_plugin_discovery() -> None:
    """Answer pydantic's "which plugins?" without importing ``importlib.metadata``.

    pydantic's plugin loader imports ``importlib.metadata`` (with ``email`` and
    ``zipfile``, about 15 ms) at its top, before it reads ``PYDANTIC_DISABLE_PLUGINS``.
    With every plugin disabled its one function, ``get_plugins``, returns nothing:
    the module put in its place does only that. Left alone when the loader is loaded
    already or plugins are not all disabled (tests/test_startup.py checks that the
    real loader gives the same answer).
    """
    # Disabled unless the environment says otherwise: promoplan uses none.
    disabled = os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if disabled not in ("__all__", "1", "true") or _PLUGIN_LOADER in sys.modules:
        return
    loader = types.ModuleType(
        _PLUGIN_LOADER, "pydantic plugins, all disabled (promoplan.noplugins)."
    )
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]  # the loader's one function
    sys.modules[_PLUGIN_LOADER] = loader
