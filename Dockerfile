# syntax=docker/dockerfile:1
# The khabar image used by docker-compose.yml (ingest, worker and the one-shot setup services).
# Dependencies come from requirements.lock (the exact pins of the development machines), the
# project itself is installed on top with --no-deps.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1

# A dedicated unprivileged user: the services never run as root.
RUN groupadd --system --gid 10001 khabar \
 && useradd --system --uid 10001 --gid khabar --create-home --home-dir /home/khabar \
      --shell /usr/sbin/nologin khabar

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install uv==0.13.9 \
 && uv pip install --system --requirement requirements.lock

# The project. Editable, so khabar/ stays next to config/ in /app: khabar.settings finds
# config/settings.yaml, feeds, rules, taxonomy and templates relative to its own source.
COPY . .
RUN uv pip install --system --no-deps --editable . \
 && mkdir -p /var/lib/khabar \
 && chown khabar:khabar /var/lib/khabar

# Worker state (Faust's RocksDB tables); docker-compose.yml mounts a named volume here.
ENV KHABAR_STATE_DIR=/var/lib/khabar
USER khabar

ENTRYPOINT ["khabar"]
CMD ["--help"]
