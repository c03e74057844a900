# Puente service image: slim Python, non-root, health-checked.

# Stage 1: the pipeline's hot modules compiled with mypyc (app/native.py; README "Performance"). The compiler
# stays in this stage; the service image gets the compiled .so files beside their sources.
FROM python:3.11-slim AS native
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir "mypy==2.4.1" "setuptools>=69" types-PyYAML . \
    && PUENTE_NATIVE_BUILDING=1 python -m app.native build && python -m app.native status

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PUENTE_ASSETS_DIR=/srv/puente \
    PUENTE_DATA_DIR=/var/lib/puente

WORKDIR /srv/puente
RUN useradd --system --uid 10001 --no-create-home --home-dir /srv/puente puente

COPY pyproject.toml README.md ./
COPY --from=native /src/app ./app
COPY shapes ./shapes
COPY vocabularies ./vocabularies
COPY mappings ./mappings
RUN pip install . && chown -R root:root /srv/puente && chmod -R a+rX /srv/puente \
    && mkdir -p /var/lib/puente && chown puente /var/lib/puente
# the harmonised catalogue (RDF store, index, tokens): keep it on a volume
VOLUME /var/lib/puente

USER puente
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--limit-concurrency", "64"]
