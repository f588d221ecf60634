# NexFitra API and worker image: one image, the command picks the role (`nexfitra serve` / `nexfitra worker`
# / `nexfitra db upgrade`). Needs an external PostgreSQL >= 15 with pgvector: set DATABASE_URL.
# Build: docker build -t nexfitra:0.1.0 .

FROM python:3.11.7-slim-bookworm AS build

# uv from PyPI, the version the Makefile uses; the lock file decides every other version.
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.8
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/nexfitra
WORKDIR /src

# Dependencies first (a layer that survives code changes), then the project itself, not editable.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY agent ./agent
COPY api ./api
COPY knowledge ./knowledge
COPY migrations ./migrations
COPY store ./store
COPY tools ./tools
RUN uv sync --frozen --no-dev --no-editable
# The int8 model the embedder runs is derived from the wheel's model once (knowledge/embeddings.py): here,
# so that containers start without the ~2 s derivation and may run with a read-only file system.
ENV NEXFITRA_MODEL_CACHE_DIR=/opt/nexfitra-models
RUN /opt/nexfitra/bin/python -c "from knowledge.embeddings import default_model_path, runtime_model; \
from store.settings import Settings; runtime_model(default_model_path(), Settings().model_cache_path)"


FROM python:3.11.7-slim-bookworm

RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin nexfitra
COPY --from=build /opt/nexfitra /opt/nexfitra
COPY --from=build /opt/nexfitra-models /opt/nexfitra-models

ENV PATH=/opt/nexfitra/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEXFITRA_HOST=0.0.0.0 \
    NEXFITRA_PORT=8000 \
    NEXFITRA_VAR_DIR=/tmp/nexfitra \
    NEXFITRA_MODEL_CACHE_DIR=/opt/nexfitra-models \
    HOME=/tmp \
    NEXFITRA_LOG_JSON=true
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["nexfitra", "serve"]
