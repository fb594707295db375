"""A real S3 HTTP server for tests (moto's threaded server on 127.0.0.1 and a free port), and the settings that
point the document storage at it, the same settings an operator gives (GDDT_STORAGE=s3, GDDT_S3_*)."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

from gddt_testing.processes import free_port

REGION = "ap-southeast-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def env(self) -> dict[str, str]:
        """The environment of a node that stores its documents here."""
        return {
            "GDDT_STORAGE": "s3",
            "GDDT_S3_BUCKET": self.bucket,
            "GDDT_S3_ENDPOINT_URL": self.endpoint,
            "GDDT_S3_REGION": REGION,
            "GDDT_S3_ACCESS_KEY_ID": self.access_key,
            "GDDT_S3_SECRET_ACCESS_KEY": self.secret_key,
        }

    def storage_setting(self) -> dict:
        """settings.STORAGES["default"] as settings.py builds it from env(): the S3 backend, inside the wrappers
        the current setting has (the encrypting storage), so that a test stores exactly as a node does."""
        from django.conf import settings

        s3 = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **settings.S3_STORAGE_OPTIONS,
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "region_name": REGION,
                "access_key": self.access_key,
                "secret_key": self.secret_key,
            },
        }

        def rewrap(setting: dict) -> dict:
            inner = setting.get("OPTIONS", {}).get("inner")
            if isinstance(inner, dict):
                return {**setting, "OPTIONS": {**setting["OPTIONS"], "inner": rewrap(inner)}}
            return s3

        return rewrap(settings.STORAGES["default"])


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server with one empty private bucket; stopped at the end. moto keeps its buckets per process, so
    each server gets a bucket of its own name."""
    from moto.server import ThreadedMotoServer

    bucket = f"gddt-documents-{secrets.token_hex(4)}"
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3Server(endpoint=f"http://127.0.0.1:{port}", bucket=bucket)
        s3.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3
    finally:
        server.stop()
