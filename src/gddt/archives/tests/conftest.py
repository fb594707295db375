"""The archives' tests that take `document_storage` (testing/gddt_testing/plugin.py) run on local files and on S3."""
