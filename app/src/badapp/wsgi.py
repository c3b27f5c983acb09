"""bad-app as a WSGI application, for the multi-process variant (gunicorn master + N workers).

Same endpoints and settings as `badapp` (badapp.cli.serve) for what the load touches: GET / hashes a password
with bcrypt (BADAPP_BCRYPT_ROUNDS, default 12) in badapp.hashing.hash_password, GET /healthz answers "ok".
Run it with gunicorn:  gunicorn --workers 3 --bind 0.0.0.0:8000 badapp.wsgi:application
"""

from __future__ import annotations

import os
from typing import Callable, Iterable

from badapp.hashing import hash_password

_ROUNDS = int(os.environ.get("BADAPP_BCRYPT_ROUNDS", "12") or "12")
if not 4 <= _ROUNDS <= 31:
    raise SystemExit(f"badapp: BADAPP_BCRYPT_ROUNDS={_ROUNDS} is out of range 4..31")

StartResponse = Callable[[str, list[tuple[str, str]]], object]


def application(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path == "/healthz":
        return _answer(start_response, "200 OK", "ok\n")
    if path == "/":
        hashed = hash_password(b"is this what you are looking for?", _ROUNDS)
        return _answer(start_response, "200 OK", f"is this what you are looking for?: {hashed.decode()}\n")
    if path == "/pid":
        # Which worker answered: lets a test see that the load reaches several workers.
        return _answer(start_response, "200 OK", f"{os.getpid()}\n")
    return _answer(start_response, "404 Not Found", "not found\n")


def _answer(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]
