# Radar services (worker, dashboard, alerts, connectors): one image, the command picks the role.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RADAR_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY radar radar
COPY ingest ingest
COPY streams streams
COPY alerts alerts
COPY dashboard dashboard
RUN pip install . && useradd --create-home radar && mkdir -p /data && chown radar /data
USER radar
VOLUME ["/data"]
ENTRYPOINT ["radar"]
CMD ["--help"]
