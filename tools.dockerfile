# debug-tools: what an ephemeral debug container brings to a pod whose app image has nothing
# (`kubectl debug --target`, or `podman run --pid=container:APP --cap-add=SYS_PTRACE`).
#
#   docker build -t debug-tools:latest -f tools.dockerfile .      (from the repository root)
#
# Debian 12 like the app's distroless runtime, so python3.11 is the very same interpreter build: memray attach
# and gdb need the target's Python minor version and glibc.
FROM debian:12-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        bash ca-certificates procps tar gdb bpftrace python3.11 python3.11-venv \
 && rm -rf /var/lib/apt/lists/*

# The profilers from PyPI, pinned by the harness (the local target installs the same versions).
# The optional build secret "ca" is a CA bundle for builds behind a TLS-inspecting proxy; never stored in a layer.
COPY harness/tools/requirements.txt /opt/debug-tools/requirements.txt
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
 && python3.11 -m venv /opt/debug-tools \
 && /opt/debug-tools/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /opt/debug-tools/requirements.txt \
 && /opt/debug-tools/bin/py-spy --version \
 && /opt/debug-tools/bin/python -c "import memray; print('memray', memray.__version__)"

# async-profiler's agent library for JVM targets (no JDK, no jattach: harness/tools/async-profiler-attach.py speaks
# the JVM's attach protocol with the python3 above). It comes from Maven Central, fetched on the host by
# hack/images/async-profiler --context (hack/images/build runs it) into .build/async-profiler/.
COPY .build/async-profiler/libasyncProfiler.so /opt/async-profiler/lib/libasyncProfiler.so

ENV PATH=/opt/debug-tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /root
# Interactive (`kubectl debug -it`, `podman run -it`): a bash shell, as in the tutorial. Detached (no terminal): it
# stays up doing nothing, so that the tools can be exec'd into it. A command given at start replaces both.
CMD ["bash", "-c", "if [ -t 0 ]; then exec bash -l; else exec sleep infinity; fi"]
