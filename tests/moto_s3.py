"""A moto S3 server on 127.0.0.1 for the tests that use ``s3://`` stores (session-wide).

Nothing but 127.0.0.1 is ever contacted: the S3 options carry explicit test credentials,
a region and the endpoint, and the instance metadata service is disabled.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

BUCKET = "flyte-nb-tests"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (session-wide) with one bucket; its endpoint URL."""
    pytest.importorskip("s3fs")
    server_mod = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    with pytest.MonkeyPatch.context() as patch:
        # keep botocore away from real credentials, config files and the metadata service
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(name, raising=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines
        port = _free_port()
        server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        try:
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                region_name="us-east-1",
            )
            client.create_bucket(Bucket=BUCKET)
            yield endpoint
        finally:
            server.stop()


def s3_options(endpoint: str) -> dict[str, Any]:
    """The fsspec options of the moto store (what a user would put under ``storage_options``)."""
    return {
        "key": "testing",
        "secret": "testing",
        "anon": False,
        "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
    }
