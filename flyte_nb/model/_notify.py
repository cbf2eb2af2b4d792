"""``flyte.notify``: the Flyte 2 SDK's notification settings, with its constructors and checks.

A Flyte cluster sends these when a run ends in one of the given phases; flyte_nb runs locally
and sends nothing. The classes are here so code that builds them runs unchanged, and wrong
values fail the same way (``ValueError``) as with the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ._phases import ActionPhase

_SUPPORTED_PHASES = {ActionPhase.FAILED, ActionPhase.SUCCEEDED, ActionPhase.ABORTED, ActionPhase.TIMED_OUT}

_EMAIL_BODY = (
    "Run: {{.Run.Name}}\nProject/Domain: {{.Run.Project}}/{{.Run.Domain}}\nPhase: {{.Phase}}\nError: {{.Error}}\n"
)
_SLACK_MESSAGE = "Run: {{.Run.Name}} finished with phase {{.Phase}}\n | {{.Run.Project}}/{{.Run.Domain}}\n"
_TEAMS_MESSAGE = (
    "Run: {{.Run.Name}}\nProject/Domain: {{.Run.Project}}/{{.Run.Domain}}\nPhase: {{.Phase}}\nError: {{.Error}}\n"
)


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # the dataclasses are frozen, as the SDK's


@dataclass(frozen=True)
class NamedRule:
    """A notification rule configured on the cluster, referred to by ``name``."""

    name: str

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("Rule name must not be empty")


@dataclass(frozen=True, kw_only=True)
class Notification:
    """A notification sent when a run ends in one of ``on_phase`` (succeeded, failed, aborted,
    timed out)."""

    on_phase: ActionPhase | tuple[ActionPhase, ...]

    def __post_init__(self) -> None:
        if isinstance(self.on_phase, str):
            _set(self, "on_phase", (self.on_phase,))
        elif isinstance(self.on_phase, (list, tuple)):
            _set(self, "on_phase", tuple(self.on_phase))
        if not self.on_phase:
            raise ValueError("At least one phase must be specified")
        for phase in self.on_phase:  # a tuple after normalising
            if phase not in _SUPPORTED_PHASES:
                raise ValueError(f"Notification on phase {phase} is not supported.")


@dataclass(frozen=True, kw_only=True)
class NamedDelivery(Notification):
    """A delivery channel configured on the cluster, referred to by ``name``."""

    name: str

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.name:
            raise ValueError("Delivery config name must not be empty")


@dataclass(frozen=True, kw_only=True)
class Email(Notification):
    """An email to ``recipients`` (and ``cc``, ``bcc``); subject and bodies are templates."""

    recipients: tuple[str, ...]
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = "Run {{.Run.Name}} {{.Phase}}"
    body: str = _EMAIL_BODY
    html_body: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("recipients", "cc", "bcc"):
            if isinstance(getattr(self, name), list):
                _set(self, name, tuple(getattr(self, name)))
        if not self.recipients:
            raise ValueError("At least one recipient must be specified")


@dataclass(frozen=True, kw_only=True)
class Slack(Notification):
    """A Slack message through ``webhook_url``: ``message``, or Block Kit ``blocks``."""

    webhook_url: str
    message: str | None = None
    blocks: tuple[dict[str, Any], ...] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.webhook_url:
            raise ValueError("webhook_url is required")
        if isinstance(self.blocks, list):
            _set(self, "blocks", tuple(self.blocks))
        if self.message is None and self.blocks is None:
            _set(self, "message", _SLACK_MESSAGE)


@dataclass(frozen=True, kw_only=True)
class Teams(Notification):
    """A Microsoft Teams message through ``webhook_url``: ``title`` and ``message``, or an
    Adaptive ``card``."""

    webhook_url: str
    title: str = "Run {{.Run.Name}} {{.Phase}}"
    message: str | None = None
    card: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.webhook_url:
            raise ValueError("webhook_url is required")
        if self.message is None and self.card is None:
            _set(self, "message", _TEAMS_MESSAGE)


@dataclass(frozen=True, kw_only=True)
class Webhook(Notification):
    """An HTTP request to ``url`` with ``method``, ``headers`` and a JSON ``body`` (templates)."""

    url: str
    method: Literal["POST", "PUT", "PATCH", "GET", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"] = "POST"
    headers: dict[str, str] | None = None
    body: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.url:
            raise ValueError("url is required")
        if self.body is None:
            _set(
                self,
                "body",
                {
                    "run": "{{.Run.Name}}",
                    "project": "{{.Run.Project}}",
                    "domain": "{{.Run.Domain}}",
                    "phase": "{{.Phase}}",
                    "error": "{{.Error}}",
                },
            )
