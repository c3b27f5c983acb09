"""Read a memray capture (aggregated) and print the allocation sites by memory still held at the end, as JSON.

argv: CAPTURE [TOP]
A site is one stack; frames are leaf first, as memray gives them: [function, file, line].
"""

import json
import sys

import memray

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 20
reader = memray.FileReader(path)
records = sorted(reader.get_leaked_allocation_records(merge_threads=True), key=lambda r: r.size, reverse=True)
print(
    json.dumps(
        {
            "totalBytes": sum(r.size for r in records),
            "peakBytes": reader.metadata.peak_memory,
            "sites": [
                {
                    "bytes": r.size,
                    "allocations": r.n_allocations,
                    "allocator": getattr(r.allocator, "name", str(r.allocator)).lower(),
                    "stack": [list(f) for f in r.stack_trace()],
                }
                for r in records[:top]
            ],
        }
    )
)
