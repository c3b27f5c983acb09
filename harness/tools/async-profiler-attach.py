# Run inside a debug session (python3 -c THIS 'JSON'): load async-profiler into a running HotSpot JVM through the
# JVM's own attach protocol, from another mount namespace and as another user, without a JDK and without jattach.
#
# The protocol (HotSpot on Linux): the JVM listens on the UNIX socket /tmp/.java_pid<NSPID> once it has been asked
# to: a file .attach_pid<NSPID> in its cwd or /tmp (owned by its user, or root), then SIGQUIT. Then a client writes
# "1\0load\0<agent path>\0true\0<options>\0" and reads "<code>\n<agent output>". The agent path is dlopen'ed by
# the JVM, so it must exist in the JVM's mount namespace: everything here goes through /proc/<pid>/root. The JVM
# accepts only peers with its own uid (or root): files are made and the socket is used as the JVM's user.
#
# Argument: JSON {op: "load"|"cleanup", pid, lib?, libDir?, outDir?, command?, timeoutS?, remove?: [paths]}.
# Paths are as the JVM sees them. Prints one JSON line last: {ok: true, ...} or {ok: false, kind, message}.
import json
import os
import shutil
import signal
import socket
import sys
import time

args = json.loads(sys.argv[1])
pid = int(args["pid"])
proc = f"/proc/{pid}"
root = f"{proc}/root"


def done(**out):
    print(json.dumps(out))
    sys.exit(0)


def fail(kind, message):
    done(ok=False, kind=kind, message=message)


def status_field(name):
    with open(f"{proc}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split()[1:]
    return []


def jvm_options():
    """Command line + the option variables the launcher reads: what says -XX:+DisableAttachMechanism or -Xrs."""
    opts = []
    try:
        with open(f"{proc}/cmdline", "rb") as f:
            opts += [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        pass
    try:
        with open(f"{proc}/environ", "rb") as f:
            for kv in f.read().split(b"\0"):
                k, _, v = kv.decode(errors="replace").partition("=")
                if k in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"):
                    opts += v.split()
    except OSError:
        pass
    return opts


def inspect():
    try:
        with open(f"{proc}/maps") as f:
            maps = f.read()
    except FileNotFoundError:
        fail("not-found", f"no process {pid} is visible from here")
    except PermissionError as e:
        fail("permission", f"cannot read {proc}/maps ({e.strerror}): no ptrace rights over pid {pid}")
    if "/libjvm.so" not in maps:
        try:
            exe = os.readlink(f"{proc}/exe")
        except OSError:
            exe = "?"
        fail("not-jvm", f"pid {pid} ({exe}) has no libjvm.so mapped: it is not a HotSpot JVM")
    opts = jvm_options()
    disabled = None
    for o in opts:
        if o == "-XX:+DisableAttachMechanism":
            disabled = True
        elif o == "-XX:-DisableAttachMechanism":
            disabled = False
    if disabled:
        fail("disabled", f"the JVM (pid {pid}) runs with -XX:+DisableAttachMechanism: it never opens its attach "
                         "socket, so no agent can be loaded without restarting it")
    # SIGQUIT starts the attach listener only if the JVM catches it; -Xrs leaves the default action: the JVM would
    # dump core and die. Never send it then.
    caught = int(status_field("SigCgt")[0], 16)
    if not caught & (1 << (signal.SIGQUIT - 1)):
        fail("disabled", f"the JVM (pid {pid}) does not handle SIGQUIT (-Xrs?): asking it to attach would kill it")
    uid = int(status_field("Uid")[1])
    gid = int(status_field("Gid")[1])
    nspid = int(status_field("NSpid")[-1]) if status_field("NSpid") else pid
    return uid, gid, nspid


def check_user(uid):
    me = os.geteuid()
    if me != uid and me != 0:
        fail("user", f"the JVM runs as uid {uid} and this session as uid {me}: the JVM only lets its own user "
                     f"(or root) attach; run the debug session as uid {uid} or as root")


def become(uid, gid):
    """Act as the JVM's user: it accepts only peers with its uid (or root), and the files must be its own."""
    if os.geteuid() == uid:
        return
    try:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    except PermissionError:
        pass  # Root without CAP_SETUID: stay root, which the JVM accepts as a peer too.


def stage(lib, lib_dir, out_dir, uid, gid):
    for d in (lib_dir, out_dir):
        if d:
            os.makedirs(root + d, mode=0o700, exist_ok=True)
            if os.geteuid() == 0:
                os.chown(root + d, uid, gid)
    target = f"{root}{lib_dir}/{os.path.basename(lib)}"
    if not os.path.exists(target):
        tmp = target + ".part"
        shutil.copyfile(lib, tmp)
        os.chmod(tmp, 0o500)
        if os.geteuid() == 0:
            os.chown(tmp, uid, gid)
        os.rename(tmp, target)
    return f"{lib_dir}/{os.path.basename(lib)}"


def connect(nspid, timeout_s):
    sock_path = f"{root}/tmp/.java_pid{nspid}"
    started = False
    trigger = None
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    try:
        while True:
            if os.path.exists(sock_path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(sock_path)
                    return s, started
                except OSError as e:
                    s.close()
                    if e.errno in (13, 1):  # EACCES, EPERM
                        fail("user", f"the JVM's attach socket refused this user ({e.strerror}): {sock_path}")
                    # A stale socket from an earlier JVM with the same pid: ask again.
            if trigger is None:
                trigger = f"{root}/tmp/.attach_pid{nspid}"
                with open(trigger, "w"):
                    pass
                os.kill(pid, signal.SIGQUIT)
                started = True
            if time.monotonic() > deadline:
                fail("refused", f"the JVM (pid {pid}) did not open its attach socket /tmp/.java_pid{nspid} within "
                                f"{timeout_s:g} s (attach disabled, a JVM that is not HotSpot, or too busy)")
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
    finally:
        if trigger:
            try:
                os.unlink(trigger)
            except OSError:
                pass


def tmp_listing(nspid):
    """The JVM's /tmp entries an attach may create: the staged library and output, the attach files."""
    ours = (f".java_pid{nspid}", f".attach_pid{nspid}")
    try:
        names = os.listdir(f"{root}/tmp")
    except OSError:
        return None
    return sorted(n for n in names if n in ours or n.startswith((".holistic-async-profiler", "holistic-async-profiler-")))


def load(a):
    # Whose JVM it is comes first: a session of another user could not attach even with the agent, and it may
    # not even see the agent (a root-only home directory).
    uid, gid, nspid = inspect()
    check_user(uid)
    if not os.path.isfile(a["lib"]):
        fail("no-agent", f"this debug session has no async-profiler agent at {a['lib']}")
    tmp_before = tmp_listing(nspid)
    # Staged before switching users: the library in the session may be readable only by the session's user
    # (root); the copies are then given to the JVM's user.
    try:
        lib_in_jvm = stage(a["lib"], a["libDir"], a.get("outDir"), uid, gid)
    except OSError as e:
        fail("staging", f"cannot stage the agent into the JVM's filesystem ({root}{a['libDir']}): {e}")
    become(uid, gid)
    t0 = time.monotonic()
    s, triggered = connect(nspid, float(a.get("timeoutS", 10)))
    socket_s = time.monotonic() - t0
    with s:
        s.settimeout(float(a.get("timeoutS", 10)) + 30)
        command = a["command"]
        # The agent's own messages ("Profiling started", errors) go to a file, not to the app's stdout (its log).
        if a.get("log"):
            command += ",log=" + a["log"]
        request = ["1", "load", lib_in_jvm, "true", command]
        s.sendall(b"".join(x.encode() + b"\0" for x in request))
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    reply = b"".join(chunks).decode(errors="replace")
    code, _, rest = reply.partition("\n")
    rest = rest.strip()
    if code.strip() != "0":
        fail("load", f"the JVM could not load the agent {lib_in_jvm} (attach result {code.strip()}): {rest}")
    agent_rc = 0
    if rest.startswith("return code:"):
        first, _, rest = rest.partition("\n")
        agent_rc = int(first.split(":")[1])
    if agent_rc != 0:
        said = ""
        if a.get("log"):
            try:
                with open(root + a["log"]) as f:
                    said = f.read().strip()
            except OSError:
                pass
        fail("agent", f"async-profiler refused '{a['command']}' (return code {agent_rc}): {said or rest.strip()}")
    done(ok=True, uid=uid, nspid=nspid, triggered=triggered, socketS=socket_s, attachS=time.monotonic() - t0, output=rest.strip(),
         tmpBefore=tmp_before)


def cleanup(a):
    removed, failed = [], []
    for p in a.get("remove", []):
        full = root + p
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.unlink(full)
            removed.append(p)
        except FileNotFoundError:
            pass
        except OSError as e:
            failed.append(f"{p}: {e.strerror}")
    left = [p for p in a.get("remove", []) if os.path.lexists(root + p)]
    done(ok=not failed and not left, removed=removed, left=left, tmpAfter=tmp_listing(int(a.get("nspid", pid))), kind="cleanup",
         message="; ".join(failed))


if args["op"] == "load":
    load(args)
elif args["op"] == "cleanup":
    cleanup(args)
else:
    fail("usage", f"unknown op {args['op']}")
