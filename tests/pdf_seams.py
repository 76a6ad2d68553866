"""Imported in the job workers by tests (config JOB_WORKER_MODULES): a kind of render that
takes too long, to test the time limit."""

import time

from canvas.exports import worker


def _slow(document, size, worksheet_index, when):
    time.sleep(30)
    return b""


worker.RENDERERS["slow"] = _slow


def _paused_poster(document, size, worksheet_index, when):
    """A poster that takes two seconds longer than it needs."""
    time.sleep(2)
    return worker.RENDERERS["poster"](document, size, worksheet_index, when)


worker.RENDERERS["paused-poster"] = _paused_poster
