"""Replace this server process after a query had to be abandoned on one of its threads.

An abandoned pyoxigraph query keeps a CPU busy until it ends, which can be minutes,
and nothing can stop it but the end of its process. So the process leaves gracefully:
it sends itself SIGTERM, which uvicorn's worker takes as "stop accepting, finish the
requests in flight, run the shutdown, exit". uvicorn then raises SIGTERM again with
the default action, so the process ends without waiting for the abandoned thread.
The supervisor (``uvicorn.supervisors.Multiprocess``, which ``serve`` always runs, and
which holds the shared listening socket) sees the worker gone and starts a fresh one;
meanwhile connections wait in the socket's backlog or go to the other workers.

Should the graceful exit hang (a client holding a request open), a watchdog ends the
process after ``grace`` seconds anyway.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

__all__ = ["RECYCLED_EXIT_CODE", "recycle", "recycling"]

#: The exit status when the watchdog has to end the process (not uvicorn's STARTUP_FAILURE, 3,
#: which would make the supervisor give up instead of starting a new worker).
RECYCLED_EXIT_CODE = 75
log = logging.getLogger(__name__)
_started = threading.Event()


def recycling() -> bool:
    """Whether this process is on its way out."""
    return _started.is_set()


def recycle(grace: float) -> None:
    """Finish the requests in flight and exit, so that the supervisor starts a fresh process. Idempotent."""
    if _started.is_set():
        return
    _started.set()
    log.warning(
        "a query outran its time limit and cannot be stopped; process %d finishes its requests and "
        "exits, and a fresh one takes its place",
        os.getpid(),
    )
    threading.Thread(target=_watchdog, args=(grace,), name="sparql-recycle", daemon=True).start()
    os.kill(os.getpid(), signal.SIGTERM)


def _watchdog(grace: float) -> None:
    time.sleep(grace)
    os._exit(RECYCLED_EXIT_CODE)
