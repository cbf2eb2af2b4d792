"""Small names of the Flyte 2 SDK's top level: the ``TimeoutType`` and ``CacheRequest`` type
aliases (what ``timeout=`` and ``cache=`` take), ``Documentation`` (a task's description) and
the ``Link`` protocol (a link in the Flyte UI)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ._policies import Cache, Timeout

#: what ``timeout=`` takes: a Timeout, seconds, or a timedelta
TimeoutType = Timeout | int | datetime.timedelta
#: what ``cache=`` takes: a behaviour name or a Cache
CacheRequest = Literal["auto", "override", "disable"] | Cache


@dataclass
class Documentation:
    """A task's documentation: its ``description`` (given, or its docstring)."""

    description: str


class Link(Protocol):
    """A link shown next to a task's logs in the Flyte UI (implemented by plugins and users).

    flyte_nb has no Flyte UI: a task's links are accepted and not shown."""

    name: str
    icon_uri: str | None = ""

    def get_link(
        self,
        run_name: str,
        project: str,
        domain: str,
        context: dict[str, str],
        parent_action_name: str,
        action_name: str,
        pod_name: str,
        **kwargs: Any,
    ) -> str:
        """The link for one action."""
        raise NotImplementedError
