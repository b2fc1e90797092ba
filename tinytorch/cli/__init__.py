"""The `tinytorch` command: a student's own workspace, driven from a terminal.

    tinytorch modules          progress per module
    tinytorch start 01         copy a module's notebook into your workspace (never overwrites)
    tinytorch check 01         run its checks headless, one line per question
    tinytorch export 01        checks, then your code into your workspace's tinytorch, then a smoke test
    tinytorch milestone 1986   run a milestone on one BLAS thread, with progress
    tinytorch doctor           versions, BLAS threads, what is missing

One concern per file: course (where the notebooks are), workspace (the folder and its package),
progress (what check and export recorded), needs (optional packages), execute (running a notebook),
checks, exporting (+ the smoke script smoke.py), milestone, doctor, main (the argument parser).
Nothing here is imported by `import tinytorch`; the commands import nbclient and otter only when
they run, so tinytorch itself still needs only NumPy.
"""
