"""Dockerfile and compose.yaml stay thin wrappers of the commands the multi-node test runs (no container engine runs
in CI to build them, so their shape is checked here)."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[4]


def test_the_image_runs_gddt_serve_as_a_non_root_user_with_the_data_dir_as_its_only_volume():
    dockerfile = (ROOT / "Dockerfile").read_text()
    first_stage = dockerfile.split("\nFROM ", 2)[1]
    assert json.loads(re.search(r"^ENTRYPOINT (.+)$", first_stage, re.MULTILINE).group(1)) == ["gddt", "serve"]
    user = re.search(r"^USER (\S+)$", first_stage, re.MULTILINE).group(1)
    assert user not in {"root", "0"}
    assert "RUN pip install . " in first_stage  # the package of this repository, not a published one
    assert 'VOLUME ["/data"]' in first_stage and "GDDT_DATA_DIR=/data" in first_stage


def test_compose_runs_two_web_nodes_and_a_worker_as_the_multi_node_test_does():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "s3", "web-a", "web-b", "worker", "lb"} <= set(services)
    for web in ("web-a", "web-b"):
        assert services[web]["command"] == ["--no-worker", "--no-init"]  # after the image's `gddt serve`
        assert services[web]["read_only"] is True
    assert services["worker"]["entrypoint"] == ["gddt", "worker"]
    volumes = {services[name]["volumes"][0].split(":")[0] for name in ("web-a", "web-b", "worker")}
    assert len(volumes) == 3  # a data dir of its own for each node, as in the test
    environment = services["web-a"]["environment"]
    assert environment["GDDT_STORAGE"] == "s3" and environment["DATABASE_URL"].startswith("postgres://")
    for shared in ("GDDT_SECRET_KEY", "GDDT_DATA_KEY", "GDDT_OIDC_PRIVATE_KEY"):
        assert ":?" in environment[shared]  # required: the same on every node
    docs = (ROOT / "README.md").read_text() + (ROOT / "docs" / "operator.md").read_text()
    assert [name for name in environment if name.startswith("GDDT_") and name not in docs] == []
