# syntax=docker/dockerfile:1
# Newsroom event summarizer: `summarizer serve` on port 8000, offline backend by default.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first: this layer is reused until the pins change.
COPY constraints.txt ./
RUN grep -v -E '^(#|pytest|respx|hypothesis|ruff|mypy|hadolint|asgi-lifespan|types-)' constraints.txt \
        > runtime-constraints.txt \
    && pip install --no-deps -r runtime-constraints.txt
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY service ./service
COPY prompts ./prompts
RUN pip install --no-deps . \
    && SUMMARIZER_CACHE_DIR=/opt/cache summarizer prepare

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SUMMARIZER_CACHE_DIR=/opt/cache
RUN groupadd --system --gid 10001 summarizer \
    && useradd --system --uid 10001 --gid summarizer --home-dir /nonexistent --shell /usr/sbin/nologin summarizer
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/cache /opt/cache
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["summarizer"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
