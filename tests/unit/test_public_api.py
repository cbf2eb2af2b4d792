"""The public surface: __all__ matches the exports, and importing has no side effects."""

from __future__ import annotations

from support import assert_runs_in_a_fresh_interpreter

import flyte_nb


def test_all_lists_exactly_the_public_names():
    public = {name for name in dir(flyte_nb) if not name.startswith("_")}
    subpackages = {
        "model",
        "wire",
        "data",
        "executors",
        "orchestrator",
        "session",
        "notebook",
        "io",
        "report",
        "testing",
        "durable",
        "models",
        "notify",
        "storage",
        "remote",
    }  # the floors (docs/architecture.md) and subpackages documented separately
    assert set(flyte_nb.__all__) - {"__version__"} == public - subpackages
    for name in flyte_nb.__all__:
        assert hasattr(flyte_nb, name), name


def test_public_classes_live_in_the_package():
    assert flyte_nb.TaskEnvironment.__module__ == "flyte_nb"
    assert flyte_nb.Run.__module__ == "flyte_nb"


def test_import_has_no_side_effects():
    code = (
        "import threading, sys, asyncio\n"
        "before = threading.active_count()\n"
        "import flyte_nb\n"
        "assert threading.active_count() == before, 'import started a thread'\n"
        "assert 'nest_asyncio' not in sys.modules, 'import patched asyncio'\n"
        "assert 'docker' not in sys.modules and 'IPython' not in sys.modules\n"
        "assert 'fsspec' not in sys.modules, 'import loaded the data layer'\n"
        "assert asyncio.Task is asyncio.tasks._CTask\n"
    )
    assert_runs_in_a_fresh_interpreter(code)


def test_flyte_2_names_are_available():
    for name in ("TaskEnvironment", "ReusePolicy", "Resources", "RetryStrategy", "Timeout", "Cache"):
        assert isinstance(getattr(flyte_nb, name), type)
    for name in ("map", "group", "trace", "run", "with_runcontext", "init", "init_from_config"):
        assert callable(getattr(flyte_nb, name))
    assert callable(flyte_nb.map.aio) and callable(flyte_nb.run.aio)
