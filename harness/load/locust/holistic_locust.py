"""holistic's side of a Locust run, loaded into the master and every worker beside the locustfile.

Each worker records every request it completes itself (count, failures, Locust-rounded latency histogram, exact
latency sum, per-second counts) and the CPU time it used from the test's start to its end (os.times: user +
system; the imports and the wait for the master left out), and writes them to $HOLISTIC_LOCUST_OUT/<worker>.json
when it quits. holistic
merges those files exactly (harness/load/merge.ts). The worker's own record is used rather than the master's
aggregate because the master keeps only what the workers' 3-second reports delivered before it quit: the last
report can arrive after the master stopped listening.

A worker also writes <worker>.connected once the master acknowledged it, so holistic can name the workers
that never connected.
"""

from __future__ import annotations

import json
import os
import time

import gevent
from locust import events

NAME = os.environ.get("HOLISTIC_LOCUST_WORKER")
OUT = os.environ.get("HOLISTIC_LOCUST_OUT", ".")

_record = {
    "requests": 0,
    "failures": 0,
    "errors": 0,
    "non2xx": 0,
    "total_ms": 0.0,
    "max_ms": 0.0,
    "response_times": {},
    "per_second": {},
    "non2xx_per_second": {},
}


# CPU seconds of this process when the test started and when it stopped (None until then).
_cpu = {"start": None, "stop": None}


def _cpu_now() -> float:
    t = os.times()
    return t.user + t.system


@events.test_start.add_listener
def _on_test_start(**_kw) -> None:
    _cpu["start"] = _cpu_now()


@events.test_stop.add_listener
def _on_test_stop(**_kw) -> None:
    _cpu["stop"] = _cpu_now()


def _bucket(ms: float) -> int:
    # Locust's own rounding (locust.stats.StatsEntry._log_response_time), so the histograms read the same.
    if ms < 100:
        return round(ms)
    if ms < 1000:
        return round(ms, -1)
    if ms < 10000:
        return round(ms, -2)
    return round(ms, -3)


@events.request.add_listener
def _on_request(response_time=0, response=None, exception=None, **_kw) -> None:
    if NAME is None:
        return
    status = getattr(response, "status_code", 0) or 0
    second = str(int(time.time()))
    r = _record
    r["requests"] += 1
    r["total_ms"] += response_time
    r["max_ms"] = max(r["max_ms"], response_time)
    key = str(_bucket(response_time))
    r["response_times"][key] = r["response_times"].get(key, 0) + 1
    r["per_second"][second] = r["per_second"].get(second, 0) + 1
    if exception is not None:
        r["failures"] += 1
    if status == 0:
        r["errors"] += 1
    elif not 200 <= status < 300:
        r["non2xx"] += 1
        r["non2xx_per_second"][second] = r["non2xx_per_second"].get(second, 0) + 1


def _mark_connected(runner) -> None:
    runner.connection_event.wait()
    with open(os.path.join(OUT, f"{NAME}.connected"), "w") as f:
        f.write(str(time.time()))
    if os.environ.get("HOLISTIC_LOCUST_PRINT"):
        print("HOLISTIC_LOCUST_CONNECTED " + NAME, flush=True)


@events.init.add_listener
def _on_init(environment, **_kw) -> None:
    # A worker's runner sets connection_event when the master acknowledged its "client_ready".
    if NAME is not None and hasattr(environment.runner, "connection_event"):
        gevent.spawn(_mark_connected, environment.runner)


@events.quitting.add_listener
def _on_quitting(**_kw) -> None:
    if NAME is None:
        return
    record = {"name": NAME, "pid": os.getpid(), **_record}
    if _cpu["start"] is not None:
        record["cpu_s"] = round((_cpu["stop"] if _cpu["stop"] is not None else _cpu_now()) - _cpu["start"], 3)
    path = os.path.join(OUT, f"{NAME}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(record, f)
    os.replace(path + ".tmp", path)
    if os.environ.get("HOLISTIC_LOCUST_PRINT"):
        # In a pod the record is read from the log: the pod's filesystem is gone once it completes.
        print("HOLISTIC_LOCUST_RECORD " + json.dumps(record), flush=True)
