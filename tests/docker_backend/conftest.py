"""flyte_nb on the docker backend (the engine fixtures and docker_run are in tests/conftest.py)."""

from docker_support import IMAGE  # noqa: F401 - tests of this folder import it from here
