"""``flyte.models``: the Flyte 2 SDK's model names that code written for it imports."""

from .model._phases import ActionPhase

__all__ = ["ActionPhase"]
