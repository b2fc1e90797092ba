"""Running a notebook headless the way Jupyter would: a fresh kernel whose working directory is the
workspace (so `import tinytorch` finds the workspace's package), and trouble as one line each.

Needs nbformat, nbclient and ipykernel (imported here, when a command runs, never by tinytorch)."""
import os
import subprocess
import time
from dataclasses import dataclass, field

from .course import Problem
from .needs import require

ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}


@dataclass
class Run:
    nb: object                                   # the executed notebook (nbformat)
    errors: list = field(default_factory=list)   # one line per cell that raised
    stopped: str = ""                            # why the run stopped early ("" when it ran to the end)


def first_line(cell):
    lines = [l.strip() for l in cell.source.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    text = lines[0] if lines else "(comments only)"
    return text if len(text) <= 50 else text[:47].rstrip() + "..."


def error_line(index, cell, ename, evalue):
    evalue = " ".join(str(evalue).split())
    return f"cell {index + 1} ({first_line(cell)}) raised {ename}: {evalue[:200]}"


def run(path, cwd, command, extra_cells=(), timeout=120, env=None, stop_on_error=False,
        on_start=None, on_done=None, on_print=None):
    """Execute the notebook at `path` in memory (the file is never written) with `cwd` as the
    kernel's working directory. `on_start(index, cell)`, `on_print(text)` (what a cell prints, as it
    prints it) and `on_done(index, cell, seconds)` report progress. A cell running over `timeout` seconds stops the run; so does an error when
    `stop_on_error`, otherwise every cell runs and each error is listed."""
    require(command)
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as e:
        raise Problem(f"{path} is not a readable notebook ({type(e).__name__}: {e})", code=1) from None
    for code in extra_cells:
        nb.cells.append(nbformat.v4.new_code_cell(code))
    started, current = {}, {"index": None}

    def start_hook(cell, cell_index, **_):
        current["index"], started[cell_index] = cell_index, time.perf_counter()
        if on_start:
            on_start(cell_index, cell)

    def done_hook(cell, cell_index, **_):
        if on_done:
            on_done(cell_index, cell, time.perf_counter() - started.get(cell_index, time.perf_counter()))

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            if on_print and msg.get("msg_type") == "stream":
                on_print(msg["content"].get("text", ""))
            return super().output(outs, msg, display_id, cell_index)

    client = Client(nb, timeout=timeout, kernel_name="python3", allow_errors=not stop_on_error,
                            resources={"metadata": {"path": str(cwd)}}, on_cell_start=start_hook,
                            on_cell_executed=done_hook)
    result = Run(nb)
    kernel_env = dict(os.environ, **(env or {}))
    kernel_env.pop("PYTHONPATH", None)  # the workspace's tinytorch comes from the working directory
    try:
        client.execute(env=kernel_env, stderr=subprocess.DEVNULL)  # the kernel's own log lines
    except CellTimeoutError:
        i = current["index"]
        result.stopped = (f"cell {i + 1} ({first_line(nb.cells[i])}) did not finish within {timeout} s and was "
                          "stopped: an endless loop? (--timeout gives slow cells longer)")
    except DeadKernelError:
        i = current["index"]
        where = f"cell {i + 1} ({first_line(nb.cells[i])})" if i is not None else "start-up"
        result.stopped = f"the Python kernel died during {where}: out of memory, or a crash in native code"
    except CellExecutionError as e:
        i = current["index"]
        result.stopped = error_line(i, nb.cells[i], getattr(e, "ename", "an error"), getattr(e, "evalue", ""))
    except Exception as e:  # the kernel would not start, ...
        result.stopped = f"could not run the notebook: {type(e).__name__}: {' '.join(str(e).split())[:300]}"
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                result.errors.append(error_line(i, cell, out.get("ename", "Error"), out.get("evalue", "")))
    return result


def stream_text(cell):
    """What a cell printed (stdout and stderr)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
