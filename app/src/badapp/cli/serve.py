"""`badapp`: a threaded stdlib HTTP server.

GET /         hashes a password with bcrypt (cost BADAPP_BCRYPT_ROUNDS, default 12) and answers with it.
GET /healthz  cheap: answers "ok".
GET /served   the requests answered so far per path, as JSON ({"/": 120, "/healthz": 3}); not counting itself.
              Load harnesses check their own request count against it.

Planted bugs, each off unless asked for (the default load on / never touches them):
GET /leak     keeps every request's JSON document in a module-level list (badapp.leak).
GET /report   holds one lock during slow work, so concurrent requests queue on it (badapp.contention).
BADAPP_CACHE_TTL_S set to something that is not an integer crashes the app at start-up with a traceback that
              shows the bad value but not the setting's name (badapp.cli.serve.Settings).

Settings come from the environment: PORT (8000), HOST (0.0.0.0), BADAPP_BCRYPT_ROUNDS (12),
BADAPP_REPORT_WORK (2000000: loop iterations of /report's slow work), BADAPP_CACHE_TTL_S (60).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from badapp.contention import render_report
from badapp.hashing import hash_password
from badapp.leak import remember_document


class Settings:
    def __init__(self, env: dict[str, str]) -> None:
        self.host = env.get("HOST", "0.0.0.0")
        self.port = _int_setting(env, "PORT", 8000, 0, 65535)
        self.rounds = _int_setting(env, "BADAPP_BCRYPT_ROUNDS", 12, 4, 31)
        self.report_work = _int_setting(env, "BADAPP_REPORT_WORK", 2_000_000, 1, 10**9)
        # Planted bug: parsed without the guard the other settings get, so a bad value is an uncaught
        # ValueError whose traceback names the value, not the setting.
        self.cache_ttl_s = int(env.get("BADAPP_CACHE_TTL_S", "60"))


def _int_setting(env: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"badapp: {name}={raw!r} is not an integer") from None
    if not low <= value <= high:
        raise SystemExit(f"badapp: {name}={value} is out of range {low}..{high}")
    return value


class ServedCounter:
    """Requests answered per path (the response fully written), shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def count(self, path: str) -> None:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


def make_handler(settings: Settings) -> type[BaseHTTPRequestHandler]:
    served = ServedCounter()

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections alive: load generators time a closed-per-response connection badly.
        protocol_version = "HTTP/1.1"
        # Without TCP_NODELAY, keep-alive responses stall ~40 ms on Nagle + delayed ACK.
        disable_nagle_algorithm = True
        server_version = "badapp/0.1"

        def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
            path = self.path.split("?", 1)[0]
            if path == "/served":
                self._answer(200, json.dumps(served.snapshot()) + "\n", counted=False)
            elif path == "/healthz":
                self._answer(200, "ok\n")
            elif path == "/":
                hashed = hash_password(b"is this what you are looking for?", settings.rounds)
                self._answer(200, f"is this what you are looking for?: {hashed.decode()}\n")
            elif path == "/leak":
                kept = remember_document(id(self) ^ threading.get_ident())
                self._answer(200, f"kept {kept} documents\n")
            elif path == "/report":
                self._answer(200, f"report {render_report(settings.report_work)}\n")
            else:
                self._answer(404, "not found\n")

        def _answer(self, status: int, body: str, counted: bool = True) -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                if counted:
                    served.count(self.path.split("?", 1)[0])
            except (BrokenPipeError, ConnectionResetError):
                # The client went away (a load generator stopping mid-request): not the server's error.
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            # One line per request would dominate a profile of a fast endpoint; errors still go to stderr.
            pass

    return Handler


def _exit_on_sigterm(signum: int, frame: object) -> None:
    # As PID 1 in a container Python ignores SIGTERM unless it has a handler: stop promptly instead.
    raise SystemExit(0)


def main() -> None:
    settings = Settings(dict(os.environ))
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    server = ThreadingHTTPServer((settings.host, settings.port), make_handler(settings))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"badapp listening on {host}:{port} (bcrypt rounds {settings.rounds})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        print("badapp stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
