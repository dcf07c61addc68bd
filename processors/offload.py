"""Clean + tag in helper processes beside the worker's event loop.

One `khabar worker` is one Python process, and with the GIL its event loop used one core at
100 % while the other stayed mostly idle (issue 11: clean + tag are about two thirds of the
worker's CPU). The stateless half is a pure function from raw bytes to cleaned bytes
(`processors.pipeline.clean_and_tag_batch`), so the clean agent hands each batch to a helper
process and awaits it; meanwhile the loop runs the stateful agent and the sink. Order is
kept (one batch at a time per agent), offsets are acknowledged only after the results were
sent, so a crash replays as before.

A helper that dies (killed, out of memory, a crash in C code) breaks the pool: the batch is
retried once in a new pool, then record by record, and a record that breaks a fresh helper
on its own is dead-lettered ("clean-process") instead of stopping the stream.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from khabar.logs import get_logger
from processors.pipeline import Failed, clean_and_tag_batch

log = get_logger("khabar.processors.offload")

CRASH_STAGE = "clean-process"


def _exit_with_parent() -> None:
    """A helper whose worker died (kill -9 included) exits too instead of idling forever."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)


def _warm_up() -> None:
    """Watch the worker; build the tagger's automata when the helper starts, not on its first batch."""
    threading.Thread(target=_exit_with_parent, name="khabar-parent-watch", daemon=True).start()
    from processors.tagging.tagger import get_tagger

    get_tagger()


class CleanProcesses:
    """`await run(values)` = `clean_and_tag_batch(values)`, in `processes` helpers (0 = inline)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the worker has threads (Faust, the sink's encoder) whose locks
            # a forked child could inherit held
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_warm_up)
        return self._pool

    def start(self) -> None:
        """Start the helpers now (they build the tagger while the worker joins its group)."""
        if self.processes:
            self._executor().submit(int)

    async def run(self, values: list[bytes]) -> list[tuple[str, bytes, bytes] | Failed]:
        if not self.processes or not values:
            return clean_and_tag_batch(values)
        try:
            return await self._submit(values)
        except BrokenProcessPool:
            log.warning("clean_process_died", batch=len(values), retry="batch in a new process")
            self._reset()
        try:
            return await self._submit(values)
        except BrokenProcessPool:
            self._reset()
        out: list[tuple[str, bytes, bytes] | Failed] = []
        for value in values:  # find the record that kills a helper; everything else goes on
            try:
                out.extend(await self._submit([value]))
            except BrokenProcessPool:
                self._reset()
                out.append(Failed(CRASH_STAGE, "the clean + tag helper process died on this record"))
        return out

    async def _submit(self, values: list[bytes]) -> list[tuple[str, bytes, bytes] | Failed]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), clean_and_tag_batch, values)

    def _reset(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
