"""memray attach for a target that has no memray, run inside the debug session with the tools' python.

argv: PID STAGING_DIR CAPTURE_NAME DURATION_S GDB_TIMEOUT_S

Why not `memray attach`: its payload starts with `import memray` inside the target, and a distroless app has
none. So: (1) stage memray (and what it imports) into the target's own filesystem through
/proc/PID/root, owned by the target's user; (2) drive gdb with memray's own gdb script, but point it at the
staged `_inject.abi3.so` (a path that exists inside the target); (3) send memray's payload, prefixed with a
sys.path.append of the staging dir (appended: the app's own packages keep priority). The capture is written by
the target into the staging dir, in aggregated mode (a file, no live socket).

Prints one JSON line on stdout: {"ok": true, "capture": HOST_PATH, ...} or {"ok": false, "kind": ..., "message": ...}.
Never raises for an expected failure: the harness turns `kind` into an exit code.
"""

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys

import memray
from memray.commands import attach as memray_attach

pid, staging, capture_name, duration, gdb_timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
root = f"/proc/{pid}/root"
staged = root + staging  # the same directory, as this session sees it


def fail(kind, message):
    print(json.dumps({"ok": False, "kind": kind, "message": message}))
    sys.exit(0)


def status_ids(field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


try:
    exe = os.readlink(f"/proc/{pid}/exe")
    uid, gid = status_ids("Uid"), status_ids("Gid")
except PermissionError as e:
    fail("permission", f"cannot read /proc/{pid} ({e}): the session needs SYS_PTRACE over the app")
except FileNotFoundError:
    fail("gone", f"no process {pid}")

# memray's compiled parts are built for this interpreter: the target must run the same minor version. Debian's
# python3.11 links libpython statically, so the version comes from the executable's name.
mine = f"python{sys.version_info.major}.{sys.version_info.minor}"
if not os.path.basename(exe).startswith(mine) and os.path.realpath(exe) != os.path.realpath(sys.executable):
    fail("mismatch", f"the app runs {exe}, the tools have {mine}: memray must match the app's Python minor version")

site = pathlib.Path(memray.__file__).parent.parent
try:
    shutil.rmtree(staged, ignore_errors=True)
    os.makedirs(staged)
    # memray and what its import and its tracker import (rich, and rich's own dependencies), nothing else.
    for name in ("memray", "memray.libs", "rich", "pygments", "markdown_it", "mdurl", "typing_extensions.py"):
        if (site / name).is_dir():
            shutil.copytree(site / name, f"{staged}/{name}", ignore=shutil.ignore_patterns("__pycache__"))
        elif (site / name).exists():
            shutil.copy2(site / name, f"{staged}/{name}")
    # The app's user must read the package and write the capture: hand the staging dir to it.
    for dirpath, dirnames, filenames in os.walk(staged):
        for p in [dirpath] + [os.path.join(dirpath, f) for f in filenames]:
            os.chown(p, uid, gid)
except OSError as e:
    fail("staging", f"cannot stage memray under {staged}: {e} (is the app's filesystem read-only?)")

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
port = server.getsockname()[1]
gdb = [
    "gdb", "-batch", "-p", pid, "-nx", "-nw",
    # The app's binaries as the app sees them: without this gdb looks for /usr/bin/python3.11 and its libraries
    # in the debug container's filesystem and finds no symbols.
    f"-iex=set sysroot {root}",
    "-iex=set auto-solib-add off",
    f"-ex=set $rtld_now={memray_attach.RTLD_NOW}",
    f'-ex=set $libpath="{staging}/memray/_inject.abi3.so"',
    f"-ex=set $port={port}",
    f"-x={memray_attach.GDB_SCRIPT}",
]
proc = subprocess.Popen(gdb, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    output, _ = proc.communicate(timeout=gdb_timeout)
    code = proc.returncode
except subprocess.TimeoutExpired:
    # Never SIGKILL (nor SIGTERM) gdb here: once memray's script has set its breakpoints (int3 on malloc, free and
    # friends, written into the app's code) and continued, a killed gdb leaves them in, and the app's next malloc
    # traps and kills it. SIGINT makes gdb stop the app; gdb -batch then exits, and exiting detaches, which takes
    # the breakpoints out (an inferior call it was in is unwound: memray's script sets unwindonsignal).
    # Measured on an idle python: SIGKILL and SIGTERM killed it at its next malloc (SIGTRAP); SIGINT left it running.
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=15)
        how = "interrupted; it detached and removed its breakpoints"
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        how = "interrupted, then killed when it did not exit within 15 s (its breakpoints may be left in the app)"
    # A tracee left stopped is woken, as memray itself does after lldb.
    try:
        os.kill(int(pid), signal.SIGCONT)
    except OSError:
        pass
    fail("timeout", f"gdb did not finish injecting within {gdb_timeout} s; it was {how}")
if code != 0 or ' "SUCCESS"' not in output:
    kind = "permission" if "ptrace:" in output else "inject"
    tail = "\n".join(output.strip().splitlines()[-8:])
    fail(kind, f"gdb could not inject memray into pid {pid} (exit {code}):\n{tail}")

server.settimeout(15)
try:
    conn = server.accept()[0]
except TimeoutError:
    fail("inject", f"pid {pid} loaded memray's injector but never connected back (port {port})")
capture = f"{staging}/{capture_name}"
tracker = (
    f"memray.Tracker(destination=memray.FileDestination(path={capture!r}, overwrite=True, compress_on_exit=False),"
    " native_traces=False, follow_fork=False, trace_python_allocators=False,"
    " file_format=memray.FileFormat.AGGREGATED_ALLOCATIONS)"
)
payload = (
    f"import sys\nif {staging!r} not in sys.path:\n    sys.path.append({staging!r})\n"
    + memray_attach.PAYLOAD.format(tracker_call=tracker, mode="FOR_DURATION", duration=duration)
)
conn.sendall(payload.encode())
conn.shutdown(socket.SHUT_WR)
conn.settimeout(30)
error = memray_attach.recvall(conn)
if error:
    fail("inject", f"memray could not start tracking inside pid {pid}: {error}")
print(json.dumps({"ok": True, "capture": root + capture, "port": port}))
