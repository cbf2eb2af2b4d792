"""flyte_nb on the docker backend (the engine fixtures and docker_run are in tests/conftest.py)."""
