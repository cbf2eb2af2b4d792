"""The few value checks every validator of flyte_nb shares, so they read and answer alike.

No imports from the rest of flyte_nb: every floor may use them.
"""

from __future__ import annotations

import math
from typing import TypeGuard

__all__ = ["is_finite_number", "is_int", "is_int_at_least"]


def is_int(value: object) -> TypeGuard[int]:
    """True for an ``int`` that is not a ``bool`` (``True`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_int_at_least(value: object, low: int) -> bool:
    """True for an ``int`` (never a ``bool``) that is ``>= low``."""
    return is_int(value) and value >= low


def is_finite_number(value: object) -> bool:
    """True for an ``int`` or ``float`` (not a ``bool``) that is neither infinite nor NaN."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
