"""Native view of one process with bpftrace, run inside the debug session (privileged) by the tools' python.

argv: PID DURATION_S HZ LIBRARY_REGEX SYMBOL_REGEX
  Samples the process's CPU at HZ (profile:hz, the user-space instruction pointer) and counts calls of the
  functions of the mapped file matching LIBRARY_REGEX whose names match SYMBOL_REGEX (uprobes, at most 8).
  Prints one JSON line: {"ok": true, "samples": [...by symbol...], "calls": {...}, ...} or {"ok": false, ...}.

Why not bpftrace's own `usym()` and `pid`: in a container, BPF's `pid` is the host's PID, which this PID
namespace cannot name, and bpftrace resolves symbols through /proc/<host pid>/maps, which does not exist here.
So the filter names the process by what both sides see: its PID namespace (inode) and its start time (boot-time
clock ticks), and the addresses are resolved here from /proc/PID/maps and the ELF files under /proc/PID/root.
"""

import bisect
import json
import os
import re
import struct
import subprocess
import sys

pid, duration, hz, lib_re, sym_re = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
root = f"/proc/{pid}/root"


def fail(kind, message):
    print(json.dumps({"ok": False, "kind": kind, "message": message}))
    sys.exit(0)


def read_maps():
    maps = []
    for line in open(f"/proc/{pid}/maps"):
        parts = line.split(None, 5)
        if len(parts) < 6 or not parts[5].startswith("/"):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        maps.append((start, end, int(parts[2], 16), parts[5].strip()))
    return maps


class Elf:
    """Function symbols of one ELF file (.symtab and .dynsym) and its loadable segments."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
        phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
        self.loads = []
        for i in range(phnum):
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
            if p_type == 1:
                self.loads.append((p_offset, p_vaddr, p_filesz))
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        syms = {}
        for _name, sh_type, _fl, _addr, sh_offset, sh_size, sh_link, _info, _align, entsize in sections:
            if sh_type not in (2, 11) or not entsize:  # SHT_SYMTAB, SHT_DYNSYM
                continue
            str_off = sections[sh_link][4]
            for off in range(sh_offset, sh_offset + sh_size, entsize):
                st_name, st_info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", data, off)
                if st_info & 0xF != 2 or shndx == 0 or value == 0:  # STT_FUNC, defined
                    continue
                end = data.index(b"\0", str_off + st_name)
                syms[value] = (size, data[str_off + st_name : end].decode(errors="replace"))
        self.values = sorted(syms)
        self.syms = syms

    def vaddr(self, file_offset):
        for p_offset, p_vaddr, p_filesz in self.loads:
            if p_offset <= file_offset < p_offset + p_filesz:
                return file_offset - p_offset + p_vaddr
        return None

    def symbol(self, vaddr):
        i = bisect.bisect_right(self.values, vaddr) - 1
        if i < 0:
            return None
        value = self.values[i]
        size, name = self.syms[value]
        return name if vaddr < value + max(size, 1) or size == 0 else None


RUST_ESCAPES = {"$LT$": "<", "$GT$": ">", "$u20$": " ", "$C$": ",", "$RF$": "&", "$BP$": "*", "$LP$": "(", "$RP$": ")", "$u7b$": "{", "$u7d$": "}", "$u27$": "'", "$u5b$": "[", "$u5d$": "]", "$u7e$": "~"}


def demangle(name):
    """Rust's legacy mangling (_ZN…17h<hash>E): enough to read a profile, not a full demangler."""
    m = re.match(r"^_ZN((?:\d+[^\d].*?)+)E(?:\.llvm\.\d+)?$", name)
    if not m:
        return name
    rest, parts = m.group(1), []
    while rest:
        n = re.match(r"^(\d+)", rest)
        if not n:
            return name
        length = int(n.group(1))
        rest = rest[len(n.group(1)) :]
        parts.append(rest[:length])
        rest = rest[length:]
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    text = "::".join(parts)
    for k, v in RUST_ESCAPES.items():
        text = text.replace(k, v)
    return text.replace("..", "::")


try:
    ns_inode = os.stat(f"/proc/{pid}/ns/pid").st_ino
    start_ticks = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[19])
    maps = read_maps()
except PermissionError as e:
    fail("permission", f"cannot read /proc/{pid} ({e})")
except FileNotFoundError:
    fail("gone", f"no process {pid}")
ticks_ns = 1_000_000_000 // os.sysconf("SC_CLK_TCK")

elves = {}


def elf(path):
    if path not in elves:
        try:
            elves[path] = Elf(root + path)
        except (OSError, ValueError, struct.error):
            elves[path] = None
    return elves[path]


# The uprobes: functions of the first mapped file matching LIBRARY_REGEX whose (demangled) names match.
probe_lib = next((m[3] for m in maps if re.search(lib_re, m[3])), None)
probes = []
if probe_lib and elf(probe_lib):
    probes = sorted({n for _s, n in elf(probe_lib).syms.values() if re.search(sym_re, demangle(n))})[:8]
if not probes:
    fail("no-symbol", f"no function matching /{sym_re}/ in a mapped file matching /{lib_re}/ of pid {pid}" + (f" ({probe_lib})" if probe_lib else ""))

this = f"curtask->nsproxy->pid_ns_for_children->ns.inum == {ns_inode} && curtask->group_leader->start_boottime / {ticks_ns} == {start_ticks}"
program = f"profile:hz:{hz} /{this}/ {{ @ip[reg(\"ip\")] = count(); }}\n"
for i, name in enumerate(probes):
    program += f"uprobe:{root}{probe_lib}:\"{name}\" /{this}/ {{ @calls[{i}] = count(); }}\n"
program += f"interval:s:{duration} {{ exit(); }}\n"
try:
    out = subprocess.run(["bpftrace", "-e", program], capture_output=True, text=True, timeout=duration + 60)
except subprocess.TimeoutExpired:
    fail("timeout", f"bpftrace did not finish within {duration + 60} s")
if out.returncode != 0 or "@" not in out.stdout:
    text = (out.stderr + out.stdout).strip()
    kind = "permission" if re.search(r"Operation not permitted|Permission denied|CAP_SYS_ADMIN|EPERM", text) else "bpftrace"
    fail(kind, f"bpftrace failed (exit {out.returncode}):\n" + "\n".join(text.splitlines()[-8:]))

ips, calls = {}, {}
for line in out.stdout.splitlines():
    m = re.match(r"^@ip\[(\d+)\]: (\d+)$", line)
    if m:
        ips[int(m.group(1))] = int(m.group(2))
    m = re.match(r"^@calls\[(\d+)\]: (\d+)$", line)
    if m:
        calls[demangle(probes[int(m.group(1))])] = int(m.group(2))

starts = [m[0] for m in maps]
by_symbol = {}
for ip, count in ips.items():
    i = bisect.bisect_right(starts, ip) - 1
    name, obj = "[unknown]", "[unknown]"
    if i >= 0 and ip < maps[i][1]:
        start, _end, pgoff, path = maps[i]
        obj = path
        e = elf(path)
        vaddr = e.vaddr(ip - start + pgoff) if e else None
        sym = e.symbol(vaddr) if e and vaddr is not None else None
        name = demangle(sym) if sym else f"[{os.path.basename(path)}+{ip - start + pgoff:#x}]"
    elif ip >= 0xFFFF800000000000:
        name, obj = "[kernel]", "[kernel]"
    key = (name, obj)
    by_symbol[key] = by_symbol.get(key, 0) + count
samples = sorted(({"symbol": k[0], "object": k[1], "samples": v} for k, v in by_symbol.items()), key=lambda s: -s["samples"])
print(json.dumps({"ok": True, "total": sum(ips.values()), "samples": samples, "calls": calls, "probedLibrary": probe_lib, "program": program}))
