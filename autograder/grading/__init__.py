"""Batch grading of submitted notebooks (`python -m autograder grade`, see cli.py).

    cli.py          the command line
    batch.py        a folder graded with worker threads (Grader)
    submissions.py  files read into the code cells to run (.ipynb, Otter .zip), student ids
    reference.py    the master's autograded cases, the support folder, the reference probes (cached)
    sandbox.py      a run in an isolated child: limits, wall clock, output caps (parent side)
    host.py         what this machine can enforce (bubblewrap, user namespaces, pids and memory cgroups)
    lockdown.py     the unshare-mode sandbox's inside: hidden paths, read-only mounts, rlimits (run by the child)
    runner.py       the child: the notebook's cells, then the test cases; its threat model
    tester.py       the child's test side, built after the cells from references taken before them
    channel.py      the grader's side of the test phases: public then hidden, authenticated results
    probe.py        test cases rewritten to report what their asserts read; probes compared
    judge.py        a run judged against the reference: cases, points, status
    gradebook.py    the CSV (atomic writes, resuming)
    feedback.py     the feedback files
"""
