# The GDĐT container image: the package installed from this repository, run as a non-root user with `gddt serve`
# as its entry point, on a read-only root filesystem apart from the data dir (/data) and /tmp. A thin wrapper of
# the commands the multi-node test runs as plain processes (src/gddt/core/tests/test_multi_node.py); no container
# engine runs on the development machines or in CI, so this file is not built there (docs/operator.md).
#
#   docker build -t gddt .
#   docker run --read-only --tmpfs /tmp -v gddt-data:/data -p 8000:8000 gddt            # the embedded default
#   docker run ... --entrypoint gddt gddt worker | check | backup /data/backup.tar.gz     # the other commands

FROM python:3.11-slim AS gddt
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GDDT_DATA_DIR=/data \
    GDDT_HOST=0.0.0.0 \
    GDDT_PORT=8000 \
    TMPDIR=/tmp
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install . && rm -rf /build \
    && useradd --system --uid 10001 --no-create-home --home-dir /data gddt \
    && mkdir -m 0700 /data && chown gddt /data
WORKDIR /data
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request, os; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['GDDT_PORT']}/api/v1/health\", timeout=4)"]
ENTRYPOINT ["gddt", "serve"]

# The S3-compatible store of compose.yaml: the same server (moto's) the multi-node test runs. For a trial only; in
# production use the object storage of the data centre (any S3-compatible store, with versioning on).
FROM python:3.11-slim AS s3-trial
ENV PIP_NO_CACHE_DIR=1
RUN pip install "moto[s3,server]>=5.0" && useradd --system --uid 10002 moto
USER 10002
EXPOSE 5000
ENTRYPOINT ["moto_server", "-H", "0.0.0.0", "-p", "5000"]
