# bad-app as a multi-process server: gunicorn's master and N sync workers (fork()ed: every worker is its own
# Python process), packaged like app/Dockerfile (ONE shiv zipapp on distroless Debian 12 python3.11, no shell).
#
#   podman build -f gunicorn.Dockerfile -t badapp-gunicorn:latest .
#
# PID 1 is gunicorn's master (Python). For a pod whose PID 1 is NOT Python, the image also carries catatonit
# (Debian's static init): command ["/usr/bin/catatonit", "--", "/usr/bin/python3.11", "/app/badapp-gunicorn.pyz", …]
# makes catatonit PID 1 and the master its child. Workers: GUNICORN_CMD_ARGS="--workers N" (default 3 below).
FROM debian:12-slim AS build

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*

RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && python3 -m venv /opt/shiv \
 && /opt/shiv/bin/pip install --no-cache-dir --disable-pip-version-check shiv==1.0.8

# catatonit: a static binary (no libc needed at run time), copied into the shell-less runtime below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends catatonit \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY pyproject.toml requirements-gunicorn.txt ./
COPY src/ src/
# Entry point = gunicorn's console script; the app (badapp.wsgi) and its dependencies are in the same zipapp.
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && mkdir -p /app \
 && /opt/shiv/bin/shiv --console-script gunicorn --output-file /app/badapp-gunicorn.pyz \
        --python /usr/bin/python3.11 --reproducible --compressed \
        --no-cache-dir --disable-pip-version-check -r requirements-gunicorn.txt .

FROM gcr.io/distroless/python3-debian12
COPY --from=build /app/badapp-gunicorn.pyz /app/badapp-gunicorn.pyz
COPY --from=build /usr/bin/catatonit /usr/bin/catatonit
USER 65532:65532
EXPOSE 8000
# sync workers, one request at a time each; --worker-tmp-dir /tmp: distroless has no /dev/shm guarantee.
CMD ["/app/badapp-gunicorn.pyz", "--workers", "3", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/tmp", \
     "badapp.wsgi:application"]
