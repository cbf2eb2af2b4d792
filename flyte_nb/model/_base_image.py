"""The docker base image of an :class:`~flyte_nb.model._image.Image` that names none.

It lives apart from the image spec so that the session can fill in its hook when it loads a
config without importing the image layers: a local run never needs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable

DEFAULT_BASE_IMAGE = os.environ.get("FLYTE_NB_BASE_IMAGE", "flyte-nb-base:bookworm")


def _no_configured_base_image() -> str | None:
    return None


#: the docker ``base_image`` of the config in force, or None; the session (which holds the
#: config, a floor above) replaces it when it loads
configured_base_image: Callable[[], str | None] = _no_configured_base_image
