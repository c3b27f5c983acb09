"""Planted bug (off unless /report is requested): one lock held during slow work, every request waits for it.

`render_report` takes a module-level lock and, while holding it, runs `build_slow_report` (pure-Python CPU
work, ~100 ms at default settings). Under concurrent load, one thread is in build_slow_report and every other
request thread is blocked acquiring the lock at the `with` line of render_report.
"""

from __future__ import annotations

import threading

_REPORT_LOCK = threading.Lock()


def render_report(work: int) -> int:
    with _REPORT_LOCK:
        return build_slow_report(work)


def build_slow_report(work: int) -> int:
    total = 0
    for i in range(work):
        total = (total * 31 + i) % 1_000_003
    return total
