# rm-graphql: one container that migrates its database, then serves GraphQL on port 8000.
#
#   docker build -t rm-graphql .                 # or: podman build --format docker -t rm-graphql .
#   docker run -p 8000:8000 -v rm-data:/data rm-graphql
#
# Configured only by RM_* environment variables (README, "Configuration" and "Deployment").
# The base image is a build argument: any Debian-like image with python3 >= 3.11 and its venv
# module (the official python:3.11-slim, or the local debootstrap image scripts/container-smoke
# builds). Builder and runtime use the same base, so the venv's interpreter path is valid in both.
ARG BASE_IMAGE=python:3.11-slim

# Stage 1: a venv with the runtime dependencies only, read from pyproject.toml. This layer is
# rebuilt only when the dependencies change. PuLP's CBC binaries for macOS and Windows and the
# test suites of numpy and scipy are dropped (about 65 MB).
FROM ${BASE_IMAGE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DEFAULT_TIMEOUT=120 \
    PYTHONDONTWRITEBYTECODE=1
# `python3 -m venv` works on both bases (the Debian image has no `python` or `pip` command).
RUN python3 -m venv /opt/venv
WORKDIR /build
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > requirements.txt \
    && /opt/venv/bin/pip install -r requirements.txt \
    && site=$(/opt/venv/bin/python3 -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
    && rm -rf "$site/pulp/solverdir/cbc/osx" "$site/pulp/solverdir/cbc/win" \
    && find "$site/numpy" "$site/scipy" -depth -type d -name tests -exec rm -rf {} +

# Stage 2: the rm-graphql wheel (package data included: mapping profiles, SQL, static files).
FROM deps AS wheel
COPY README.md ./
COPY src ./src
RUN /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels .

# Stage 3: the runtime. The dependency venv and the package are separate layers, so a source
# edit rebuilds a layer of a few hundred kilobytes, not the whole venv.
FROM ${BASE_IMAGE} AS runtime
ARG RM_UID=10001
LABEL org.opencontainers.image.title="rm-graphql" \
      org.opencontainers.image.description="A reverse-mentoring engine that HR platforms plug in over GraphQL."
# An unprivileged user with a fixed numeric id, so Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid "${RM_UID}" rm \
    && useradd --no-log-init --uid "${RM_UID}" --gid rm --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin rm \
    && mkdir -p /data \
    && chown rm:rm /data \
    && chmod 0750 /data
COPY --from=deps /opt/venv /opt/venv
COPY --from=wheel /wheels /tmp/wheels
RUN /opt/venv/bin/pip install --no-deps --no-index --no-cache-dir --disable-pip-version-check \
        /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && /opt/venv/bin/rm-graphql version
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RM_HOST=0.0.0.0 \
    RM_PORT=8000 \
    RM_VAR_DIR=/data \
    RM_DATABASE_URL=sqlite:////data/rm-graphql.db \
    RM_MIGRATIONS_DIR=/app/migrations
# The SQLite database and the development signing key live here; with PostgreSQL
# (RM_DATABASE_URL=postgresql://...) it only holds the development key.
VOLUME ["/data"]
USER ${RM_UID}:${RM_UID}
EXPOSE 8000
# Liveness only (/healthz); orchestrators should use /readyz for readiness (database reachable,
# migrations at head). Python, because the image may have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('RM_PORT', '8000') + '/healthz', timeout=4)"]
# Migrate to head, then serve; exec form so the server is PID 1 and gets SIGTERM.
CMD ["rm-graphql", "serve", "--migrate"]
