"""Imported in the job workers by tests (config JOB_WORKER_MODULES): small tasks that
succeed, report progress, fail, hang or make too much."""

import time

from canvas import jobs


@jobs.task("test-steps")
def steps(progress: jobs.Progress, params: dict) -> jobs.Result:
    """Counts to params["steps"], pausing between steps, reporting each."""
    total = int(params["steps"])
    for done in range(total):
        progress(done, total, f"step {done}")
        time.sleep(float(params.get("pause", 0)))
    progress(total, total, "finished")
    return jobs.Result(params.get("text", "made").encode(), name="made.txt",
                       mimetype="text/plain")


@jobs.task("test-boom")
def boom(progress: jobs.Progress, params: dict) -> jobs.Result:
    raise RuntimeError("the task broke")


@jobs.task("test-sleep")
def sleep(progress: jobs.Progress, params: dict) -> jobs.Result:
    time.sleep(float(params["seconds"]))
    return jobs.Result(b"woke")


@jobs.task("test-big")
def big(progress: jobs.Progress, params: dict) -> jobs.Result:
    return jobs.Result(b"x" * int(params["bytes"]))


def where(seconds: float) -> int:
    """Wait a moment, then say which process did it (jobs.fan_out's tests)."""
    import os

    time.sleep(seconds)
    return os.getpid()


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n * 2


@jobs.task("test-fan-out")
def fan_out_task(progress: jobs.Progress, params: dict) -> jobs.Result:
    """Spreads sleeps over the job's processes; the result names the processes used."""
    pids = [pid for _n, pid in jobs.fan_out(where, [float(params["pause"])] * params["items"])]
    return jobs.Result(" ".join(str(p) for p in sorted(set(pids))).encode(), name="pids.txt")
