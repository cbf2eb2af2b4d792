"""Tests in a real IPython kernel (kernel_support; the ``kernel`` fixture is in tests/conftest.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")
