"""Planted bug (off unless /leak is requested): every request's JSON document is kept forever.

`remember_document` appends to a module-level list that nothing ever trims, the classic "cache without an
eviction policy". A memory profiler attached while /leak is under load must name this function as the top
allocation site by memory still held.
"""

from __future__ import annotations

import json
import time

_SEEN_DOCUMENTS: list[str] = []


def remember_document(request_id: int) -> int:
    document = json.dumps(
        {
            "id": request_id,
            "at": time.time(),
            # ~8 KiB per request, so the leak outgrows everything else within seconds.
            "payload": [f"item-{request_id}-{i:05d}" for i in range(512)],
        }
    )
    _SEEN_DOCUMENTS.append(document)
    return len(_SEEN_DOCUMENTS)
