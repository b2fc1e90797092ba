"""Benchmarks: tinytorch timed against PyTorch CPU and hand-written NumPy, on this machine.

`python -m benchmarks` runs every workload of the registry in `benchmarks.workloads` in one
process, interleaving the implementations, in a 1-thread and a default-thread mode, and writes
`benchmarks/results/latest.json` and `latest.md`; `--publish` also renders the book's performance
page and its plot. `python -m benchmarks --help` lists the options.
"""
