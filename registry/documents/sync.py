"""pyHanko's synchronous calls start their own asyncio event loop; they fail in a thread where a
loop is already running (a test process driving a browser, an async server). Run them in a
worker thread there; elsewhere, call them directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(work: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
