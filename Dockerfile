# syntax=docker/dockerfile:1
# The gateway's image: one image for `portal-gateway serve` (the default command) and
# `portal-gateway worker` (the same image with that command). docs/operations.md tells how to
# build and run it; tests/operations/test_dockerfile.py checks it against pyproject.toml.

# Build: a virtualenv with the project and the dependencies pyproject.toml names, nothing else.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# A pinned pip: older resolvers give up on OpenTelemetry's matched beta versions.
RUN python -m venv /opt/portal \
    && /opt/portal/bin/pip install --no-cache-dir pip==26.3
COPY pyproject.toml README.md ./
COPY app.py cli.py config.py gateway.py ./
COPY auth/ auth/
COPY cache/ cache/
COPY connectors/ connectors/
COPY resolvers/ resolvers/
COPY schema/ schema/
COPY web/ web/
COPY webhooks/ webhooks/
RUN /opt/portal/bin/pip install --no-cache-dir . \
    && /opt/portal/bin/python -m compileall -q /opt/portal/lib

# Run: the slim base, the virtualenv, an unprivileged user; no compiler, no sources, no tests.
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/portal/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORTAL_ENV=production \
    PORTAL_OUTBOX_DIR=/tmp/outbox
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin portal
COPY --from=build /opt/portal /opt/portal
WORKDIR /tmp
USER 10001
EXPOSE 8000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["portal-gateway"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-sandbox"]
