"""The keeper thread of the grading child (runner.py): the only holder of the grader's input.

From the moment it is woken to the moment it has read the tests and closed that input, it must
not allocate any object the garbage collector tracks: a collection starting in its thread would
run the notebook's finalizers there, with the input readable. Checked here by running the keeper
in this process with a collection due at its next tracked allocation (threshold 1, the count at 1)
when it wakes and when the tests arrive, and a gc callback that notes any collection starting in
the keeper's thread while the input is still open there.
"""
import functools
import gc
import hmac
import importlib.util
import json
import marshal
import os
import socket
import stat
import sys
import threading

import numpy
import pytest

from autograder.grading import lockdown, sandbox


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setitem(sys.modules, "lockdown", lockdown)  # the child imports it from its support folder
    spec = importlib.util.spec_from_file_location("_runner_keeper", sandbox.RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.np = numpy
    return module


def _is_socket(fd):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False


def _prime(watch, then, kept=[]):
    """Bring the count of tracked allocations to the threshold (1), so that the next one starts a
    collection, then call `then` (which wakes the keeper). Without the callback, whose arguments
    would count; what is allocated here stays alive: an object freed lowers the count again."""
    gc.callbacks.remove(watch)
    gc.collect()
    gc.callbacks.append(watch)
    kept.append([None])
    then()


def _line(fd):
    data = b""
    while not data.endswith(b"\n"):
        data += os.read(fd, 1)
    return data


def test_the_keeper_reads_the_tests_without_a_collection_in_its_thread(runner):
    grader_end, child_end = socket.socketpair()
    tests_fd = os.dup(child_end.fileno())
    child_end.close()
    results_r, results_w = os.pipe()
    state, started, cells_done, over = [], threading.Lock(), threading.Lock(), threading.Lock()
    for lock in (started, cells_done, over):
        lock.acquire()
    tests = ({}, 0, 5.0, lambda seed, namespace: None, lambda: None, runner._pristine())
    keeper = threading.get_ident  # replaced by the keeper's ident below
    woken, seen = threading.Event(), {"in keeper": 0, "with input open": 0}

    def watch(phase, info):
        if phase == "start" and woken.is_set() and threading.get_ident() == keeper:
            seen["in keeper"] += 1
            seen["with input open"] += _is_socket(tests_fd)

    old_threshold = gc.get_threshold()
    gc.callbacks.append(watch)
    try:
        keeper = runner._thread.start_new_thread(runner._keeper, (state, started, cells_done, over, tests_fd,
                                                                  results_w, tests))
        started.acquire()
        assert state == [True], "the keeper could not get a file table of its own"
        os.close(tests_fd)  # as the runner does: this thread's table no longer holds the input ...
        assert not _is_socket(tests_fd)
        woken.set()
        gc.set_threshold(1)
        _prime(watch, cells_done.release)  # the keeper's next tracked allocation starts a collection
        assert _line(results_r) == b'{"ev": "ready"}\n'
        key = b"k" * 32
        frame = marshal.dumps([(key, []), (key, [])])
        payload = len(frame).to_bytes(8, "big") + frame
        _prime(watch, functools.partial(os.write, grader_end.fileno(), payload))
        over.acquire()  # the keeper ran both (empty) phases and ended
    finally:
        gc.set_threshold(*old_threshold)
        gc.callbacks.remove(watch)
        grader_end.close()
    signed = json.loads(_line(results_r))  # ... yet the keeper read it and signed the public phase's end
    data = bytes.fromhex(signed["data"])
    assert marshal.loads(data) == {"ev": "done", "phase": 0}
    assert hmac.compare_digest(hmac.digest(key, data, "sha256").hex(), signed["mac"])
    os.close(results_r)
    os.close(results_w)
    assert seen["in keeper"] > 0  # collections did start in the keeper, once it had closed the input
    assert seen["with input open"] == 0, seen
