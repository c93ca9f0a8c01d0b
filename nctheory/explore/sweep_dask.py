r"""The sweep's ``dask`` backend: the points as tasks of a ``dask.distributed`` cluster.

:func:`connected` gives a client: to the scheduler at an address (``--scheduler``), or to a
``LocalCluster`` it starts (``n_workers`` worker processes of one thread each) and closes again when the
sweep is over.  :func:`run_points` submits one task per point -- the same :func:`~nctheory.explore.sweep.run_point`
the ``loky`` backend runs, so a record is the same whichever backend made it -- and yields the records in
the order they finish, so the sweep writes each one as it arrives.

A worker that dies while solving a point does not lose it: the scheduler gives the task to another worker
(up to ``distributed.scheduler.allowed-failures`` times, 3 by default).  A task that still fails -- a
point that kills every worker it runs on, say -- comes back as an ``"error"`` record, which a resumed sweep
retries, like a solver exception inside :func:`~nctheory.explore.sweep.run_point`.

``distributed`` is an optional dependency (``pip install 'nctheory[dask]'``); without it
:func:`require_distributed` refuses the backend with one line.  The time to wait for a scheduler is
dask's own setting ``distributed.comm.timeouts.connect`` (30 s unless configured, e.g. by the environment
variable ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).

The workers of a remote cluster must be able to import ``nctheory`` (the same version), and the paths of
users' claims files must exist on them.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

#: The one line printed when ``distributed`` cannot be imported.
MISSING = ("backend: 'dask' needs the optional package 'distributed', which is not installed; "
           "pip install 'nctheory[dask]'")


def require_distributed():
    """The ``distributed`` module, or ValueError ``backend: ...`` naming the extra that installs it."""
    try:
        import distributed
    except ImportError:
        raise ValueError(MISSING) from None
    return distributed


def local_cluster_quiet() -> dict:
    """``LocalCluster`` options for a cluster nobody looks at: no dashboard, and the HTTP routes the scheduler
    always serves on a free port rather than 8787, which another cluster may hold (a warning then).  Whoever
    wants a dashboard starts a scheduler of their own and passes its address."""
    return {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": ":0"}}


@contextmanager
def connected(scheduler=None, n_workers: int = 2):
    """A ``distributed.Client`` for the duration of the block.

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
        Address of a running scheduler (``tcp://host:8786``), or a client the caller owns (used as is, not
        closed).  None: start a ``LocalCluster`` of ``n_workers`` processes × 1 thread, closed afterwards.
    n_workers : int
        Workers of the local cluster.

    Raises
    ------
    ValueError
        ``backend: ...`` without ``distributed``; ``scheduler: ...`` when the address is malformed or no
        scheduler answers there in time.
    """
    distributed = require_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                           **local_cluster_quiet())
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ValueError(f"scheduler: expected the address of a dask scheduler (tcp://host:port), got {scheduler!r}")
    try:
        client = distributed.Client(scheduler)
    except (OSError, ValueError, TypeError) as exc:  # no answer in time; an unknown scheme or a bad port
        raise ValueError(f"scheduler: cannot connect to a dask scheduler at {scheduler!r} "
                         f"({type(exc).__name__}: {exc})") from None
    with client:
        yield client


def run_points(client, todo, claim_id, method, *, claim_files=(), deadline=None):
    """Run ``todo`` (``(key, point, problem)`` triples) on the cluster; yields one record (or None, as
    :func:`~nctheory.explore.sweep.run_point` returns past the deadline) per point, as each finishes.

    Tasks not finished when the caller stops iterating (deadline, Ctrl-C, an error) are cancelled.
    """
    from distributed import as_completed

    from nctheory.explore.sweep import empty_record, run_point

    run = uuid.uuid4().hex[:8]  # two sweeps of the same grid on one scheduler must not share tasks
    points = {}  # task key -> (key, point, problem)
    futures = []
    for key, pt, problem in todo:
        fut = client.submit(run_point, pt, problem, claim_id, method, claim_files=claim_files, deadline=deadline,
                            key=f"nctheory-point-{key}-{run}")
        points[fut.key] = (key, pt, problem)
        futures.append(fut)
    try:
        for fut in as_completed(futures):
            try:
                rec = fut.result()
            except Exception as exc:  # the task itself failed (e.g. KilledWorker): recorded, retried on resume
                key, pt, problem = points[fut.key]
                rec = empty_record(key=key, **pt, problem=problem.to_dict(), method=method, claim=claim_id,
                                   status="error", error=f"{type(exc).__name__}: {exc}")
            yield rec
    finally:
        client.cancel([f for f in futures if not f.done()])
