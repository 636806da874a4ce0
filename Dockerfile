# Images for every process, installed from requirements.lock (hash-checked), so a build needs
# no network beyond Debian's and PyPI's registries. Two targets of one build:
#   slim  the gateway and every stage but the spider (no browser);
#   full  slim plus Debian's Chromium, for the spider (the default, which compose builds).
# docker build --target slim -t datafactory-slim . && docker build -t datafactory .

FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# The lock alone first: this layer is rebuilt only when the pinned packages change.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps .

FROM python:3.12-slim AS slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DATAFACTORY_DATA_DIR=/app/data HOME=/tmp
RUN useradd --uid 1000 --no-create-home --shell /usr/sbin/nologin datafactory \
 && mkdir -p /app/data && chown 1000:1000 /app/data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can check it.
USER 1000
CMD ["python", "-m", "services.gateway"]

FROM slim AS full
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium \
 && rm -rf /var/lib/apt/lists/*
ENV PLAYWRIGHT_CHROMIUM_EXECUTABLE=/usr/bin/chromium
USER 1000
