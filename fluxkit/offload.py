"""Heavy work in a separate process, so a worker's event loop never waits for it.

A thread is not enough for big jobs: a 5,000-row import allocates enough objects that the
garbage collector stops the whole process (every thread, the event loop too) for hundreds of
milliseconds at a time, and the work competes with the loop for the GIL. `run` hands a job to
a child process (`python -m fluxkit.offload`, kept warm and reused, at most `MAX_CHILDREN` per
worker) and awaits its answer without blocking; the job may report progress, which reaches
the caller's `on_progress` coroutine. If the caller is cancelled, the child is killed (its
transaction, if any, rolls back).

A job is a module-level function named "module:function" under `fluxkit.`; it runs in the
child with `progress(done, total)` as a keyword argument, and its result must pickle. Both
ends are this program, so frames are pickles: a 4-byte length, then the pickle.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import pickle
import struct
import sys
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("fluxkit.offload")

MAX_CHILDREN = 2  # concurrent jobs per worker; more wait their turn
_HEADER = struct.Struct(">I")


class OffloadError(RuntimeError):
    """The job raised in the child, or the child died; the message says which."""


# ---- parent side -----------------------------------------------------------------------------------


class _Child:
    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls) -> _Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "fluxkit.offload",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        return cls(process)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(_HEADER.pack(len(body)) + body)
        await self.process.stdin.drain()

    async def receive(self) -> Any:
        assert self.process.stdout is not None
        (size,) = _HEADER.unpack(await self.process.stdout.readexactly(_HEADER.size))
        return pickle.loads(await self.process.stdout.readexactly(size))

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


_idle: list[_Child] = []
_slots: asyncio.Semaphore | None = None
_slots_loop: asyncio.AbstractEventLoop | None = None


def _semaphore() -> asyncio.Semaphore:
    global _slots, _slots_loop, _idle
    loop = asyncio.get_running_loop()
    if _slots is None or _slots_loop is not loop:  # a new loop (tests, a restarted worker)
        for child in _idle:
            child.kill()
        _slots, _slots_loop, _idle = asyncio.Semaphore(MAX_CHILDREN), loop, []
    return _slots


async def run(
    target: str,
    *args: Any,
    on_progress: Callable[[int, int], Awaitable[None]] | None = None,
    **kwargs: Any,
) -> Any:
    """`target(*args, progress=..., **kwargs)` in a child process; its result, or OffloadError."""
    if not target.startswith("fluxkit."):
        raise ValueError(f"not a FluxKit job: {target}")
    async with _semaphore():
        child = None
        while _idle and child is None:
            candidate = _idle.pop()
            child = candidate if candidate.alive else None
        child = child or await _Child.start()
        done = False
        try:
            await child.send((target, args, kwargs))
            while True:
                kind, *rest = await child.receive()
                if kind == "progress":
                    if on_progress is not None:
                        await on_progress(*rest)
                    continue
                done = True
                if kind == "result":
                    return rest[0]
                raise OffloadError(rest[0])
        except (asyncio.IncompleteReadError, BrokenPipeError, ConnectionResetError) as exc:
            raise OffloadError(f"the job's process ended unexpectedly ({type(exc).__name__})") from None
        finally:
            if done and child.alive:
                _idle.append(child)
            else:  # cancelled, or the child broke: it may be mid-job, so it goes
                child.kill()
                with contextlib.suppress(Exception):
                    await asyncio.shield(child.process.wait())


async def close_idle() -> None:
    """Stop the idle children (they exit when their input closes); a running job is not touched."""
    while _idle:
        child = _idle.pop()
        if child.process.stdin is not None:
            child.process.stdin.close()
        try:
            await asyncio.wait_for(child.process.wait(), timeout=5)
        except TimeoutError:
            child.kill()


# ---- child side --------------------------------------------------------------------------------------


def _serve() -> None:
    inbox = sys.stdin.buffer
    outbox = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print() must not break the frames

    def send(message: Any) -> None:
        body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        outbox.write(_HEADER.pack(len(body)) + body)
        outbox.flush()

    while True:
        header = inbox.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the worker closed the pipe: it stopped
        (size,) = _HEADER.unpack(header)
        target, args, kwargs = pickle.loads(inbox.read(size))
        try:
            module, _, name = target.partition(":")
            job = getattr(importlib.import_module(module), name)
            result = job(*args, progress=lambda done, total: send(("progress", done, total)), **kwargs)
        except Exception as exc:
            logging.getLogger("fluxkit.offload").exception("job %s failed", target)
            send(("error", f"{type(exc).__name__}: {exc}"))
        else:
            send(("result", result))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    _serve()
