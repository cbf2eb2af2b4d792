"""Reading a cache entry's time stamp without unpickling it (what ``clean --older-than`` does)."""

from __future__ import annotations

import sys
import types

import pytest

from flyte_nb.data._cache import Stamped
from flyte_nb.data._cache_sweep import entry_stamp
from flyte_nb.data._codec import dumps, loads


def test_the_stamp_is_read_even_when_the_value_cannot_be_loaded_here() -> None:
    module = types.ModuleType("gone_after_pickling")
    exec("class Point:\n    def __init__(self, x):\n        self.x = x\n", module.__dict__)
    sys.modules[module.__name__] = module
    try:
        data = dumps(Stamped(1_700_000_123.25, module.Point(3)))
    finally:
        del sys.modules[module.__name__]
    with pytest.raises(ModuleNotFoundError):
        loads(data)  # the task's module is not in the process that cleans
    assert entry_stamp(data) == 1_700_000_123.25


def test_values_that_are_not_stamped_entries_have_no_stamp() -> None:
    assert entry_stamp(dumps(5)) is None  # an entry from before entries were stamped
    assert entry_stamp(dumps({"written_at": 1.5, "Stamped": 2.5})) is None
    assert entry_stamp(dumps({"Stamped": 1, "written_at": 1.5})) is None
    assert entry_stamp(dumps(("flyte_nb.data._cache", "Stamped", "written_at", 1.5))) is None
    assert entry_stamp(dumps(("flyte_nb.data._cache", "Stamped", "STACK_GLOBAL", 1.5))) is None
    assert entry_stamp(b"not a pickle at all") is None
    assert entry_stamp(dumps(Stamped(12.0, "Stamped written_at"))) == 12.0
