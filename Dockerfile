# One image for every service; the compose file picks the process with `command`.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATAFACTORY_DATA_DIR=/app/data \
    PLAYWRIGHT_CHROMIUM_EXECUTABLE=/usr/bin/chromium
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir .
RUN useradd --create-home --uid 1000 datafactory && mkdir -p /app/data \
 && chown datafactory /app/data
USER datafactory
CMD ["python", "-m", "services.gateway"]
