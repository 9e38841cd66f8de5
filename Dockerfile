# Radar services (worker, dashboard, alerts, connectors): one image, the command picks the role.
# Every package comes pinned by version and sha256 (review M11): the build backend from
# requirements-build.lock, the runtime dependencies from requirements-image.lock (the runtime
# part of requirements.lock, test tools left out), and Radar itself without dependencies and
# without build isolation, so a build never resolves or downloads anything unhashed.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 RADAR_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements-build.lock requirements-image.lock ./
RUN pip install --require-hashes -r requirements-build.lock \
    && pip install --require-hashes --no-build-isolation -r requirements-image.lock
COPY pyproject.toml README.md ./
COPY radar radar
COPY ingest ingest
COPY streams streams
COPY alerts alerts
COPY dashboard dashboard
COPY api api
RUN pip install --no-deps --no-build-isolation . \
    && useradd --create-home radar && mkdir -p /data && chown radar /data
USER radar
VOLUME ["/data"]
ENTRYPOINT ["radar"]
CMD ["--help"]
