"""Calls that cannot hurt their caller: each one runs in a worker process that may die or overrun.

:func:`run_isolated` runs ``run(task)`` for many tasks in ``n_jobs`` worker
processes of its own (fresh Python interpreters started with
``sys.executable``, never forked: a fork after VTK's threads started can
hang, and the caller's OpenGL context must not be shared). A worker runs one
task at a time and is reused for the next, so the interpreter and brainview
are imported once per worker, not once per task. When a task ends its
worker (``os.abort``, ``os._exit``, a segfault, the out-of-memory killer) or
runs past ``timeout`` seconds (its worker is then killed), that task alone
gets ``failed(task, message)`` as its result, a fresh worker takes the next
task, and every other task still runs.

Tasks and results travel pickled by cloudpickle over pipes of their own, so
what a task prints to its standard output cannot garble them.

Examples
--------
>>> results = run_isolated([1, 2, 3], abs, n_jobs=2, timeout=60,
...                        failed=lambda task, message: message)
>>> sorted(results)
[1, 2, 3]
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection, wait

__all__ = ["run_isolated", "serve"]

#: Seconds a worker may take to start Python and reply before its task's time starts.
_STARTUP_SECONDS = 120
_SERVE = "import sys; from brainview._isolated import serve; serve(int(sys.argv[1]), int(sys.argv[2]))"


class _Worker:
    """One worker process and its two pipes; ``task`` and ``started`` describe its current task."""

    def __init__(self):
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        try:
            self.process = subprocess.Popen([sys.executable, "-c", _SERVE, str(task_read), str(result_write)],
                                            pass_fds=(task_read, result_write), stdin=subprocess.DEVNULL)
        finally:
            os.close(task_read)
            os.close(result_write)
        self.tasks = Connection(task_write, readable=False)
        self.results = Connection(result_read, writable=False)
        self.tasks.send_bytes(pickle.dumps(list(sys.path)))
        self.task, self.sent, self.started = None, None, None

    def start(self, payload, task):
        """Send a task; its time counts from the worker's "started" reply (a new worker imports first)."""
        self.task, self.sent, self.started = task, time.monotonic(), None
        self.tasks.send_bytes(payload)

    def deadline(self, timeout):
        if self.started is None:
            return self.sent + timeout + _STARTUP_SECONDS
        return self.started + timeout

    def stop(self):
        """Kill the process (a no-op when it has ended) and close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.tasks.close()
        self.results.close()


def _death(process):
    code = process.wait()
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def run_isolated(tasks, run, *, n_jobs, timeout, failed):
    """Yield ``run(task)`` for each task as workers finish them (in completion order).

    Parameters
    ----------
    tasks : iterable
        Picklable (by cloudpickle) tasks.
    run : callable
        ``run(task)`` in a worker; it should catch its own errors and return a result.
    n_jobs : int
        Worker processes working at once.
    timeout : float or None
        Seconds one task may take; None: no limit.
    failed : callable
        ``failed(task, message)``: the result of a task whose worker died,
        overran or could not run it.
    """
    import cloudpickle

    pending = list(tasks)
    pending.reverse()
    idle, busy = [], {}
    try:
        while pending or busy:
            while pending and len(busy) < n_jobs:
                task = pending.pop()
                try:
                    payload = cloudpickle.dumps((run, task))
                except Exception as error:  # the task cannot be pickled: its failure, not the batch's
                    yield failed(task, f"the item cannot be sent to a worker process "
                                       f"({type(error).__name__}: {error}).")
                    continue
                worker = idle.pop() if idle else _Worker()
                try:
                    worker.start(payload, task)
                except OSError:  # the worker is gone; the next one starts fresh
                    worker.stop()
                    yield failed(task, "its worker process ended before it could take the item.")
                    continue
                busy[worker.results] = worker
            if busy:
                yield from _collect(busy, idle, timeout, failed)
    finally:
        for worker in [*idle, *busy.values()]:
            worker.stop()


def _collect(busy, idle, timeout, failed):
    """Wait for the first reply, death or overrun of a busy worker; yield the results that are in."""
    wait_for = None
    if timeout is not None:
        wait_for = max(0.0, min(w.deadline(timeout) for w in busy.values()) - time.monotonic())
    for connection in wait(list(busy), timeout=wait_for):
        worker = busy[connection]
        try:
            status, value = pickle.loads(connection.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            del busy[connection]
            reason = _death(worker.process)
            worker.stop()
            yield failed(worker.task, f"the item ended its worker process ({reason}); "
                                      "the other items went on.")
            continue
        if status == "started":
            worker.started = time.monotonic()
            continue
        del busy[connection]
        idle.append(worker)
        yield value if status == "ok" else failed(worker.task, value)
    if timeout is not None:
        now = time.monotonic()
        for connection, worker in list(busy.items()):
            if now >= worker.deadline(timeout):
                del busy[connection]
                worker.stop()
                yield failed(worker.task, f"the item ran for more than timeout={timeout:g} s; "
                                          "its worker process was stopped.")


def serve(task_fd, result_fd):
    """A worker's loop: read ``(run, task)``, send back ``("ok", run(task))``, until the pipe closes."""
    import cloudpickle

    tasks = Connection(task_fd, writable=False)
    results = Connection(result_fd, readable=False)
    sys.path[:] = pickle.loads(tasks.recv_bytes())
    while True:
        try:
            payload = tasks.recv_bytes()
        except EOFError:
            return
        results.send_bytes(pickle.dumps(("started", None)))
        try:
            run, task = cloudpickle.loads(payload)
            reply = ("ok", run(task))
            data = cloudpickle.dumps(reply)
        except (Exception, SystemExit) as error:  # what run did not catch: this task's failure
            data = cloudpickle.dumps(("error", f"{type(error).__name__}: {error}"))
        results.send_bytes(data)
