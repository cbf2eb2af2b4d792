"""Where flyte_nb keeps a user's own files (config, store key), outside any project."""

from __future__ import annotations

from pathlib import Path


def user_config_dir() -> Path:
    """flyte_nb's folder in the user's config folder (``~/.config/flyte_nb`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("flyte_nb"))
