"""The run gives back to the system what glibc's heaps hold free, before its end builds the
reports and the manifest: freed memory between live blocks, which freeing alone keeps."""

from __future__ import annotations

import platform

import pytest

from tests.fresh import fresh_json

_FREED_BETWEEN_LIVE_BLOCKS = """
import json
from inspector.memory import give_back_freed_memory

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024

# 100 MB in blocks of 16 kB (glibc's heap: above Python's own allocator, below mmap), every
# tenth kept: the heap's top is live, so freeing the rest gives nothing back by itself.
blocks = [bytes(16384) for _ in range(6400)]
kept = blocks[::10]
del blocks
freed = rss_mb()
give_back_freed_memory()
print(json.dumps({"freed": freed, "given_back": rss_mb(), "kept": len(kept)}))
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_memory_freed_between_live_blocks_goes_back_to_the_system() -> None:
    found = fresh_json(_FREED_BETWEEN_LIVE_BLOCKS)
    assert found["freed"] - found["given_back"] > 60  # of the 90 MB freed
