# Generated from notebooks/masters/08_training.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.training.progress: what fit() shows while it trains: a progress bar and a
live plot in a notebook, text lines elsewhere."""
import io
import sys
import time


def in_notebook():
    """True inside a Jupyter kernel (ipykernel, or JupyterLite's Pyodide kernel), where
    rich output can be shown; False in a plain Python process or terminal IPython.
    Imports nothing itself."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _numbers(record):
    """An epoch record's values as 'train_loss 0.4321  val_loss 0.5012 ...' (epoch
    and time left out)."""
    return "  ".join(f"{key} {value:.4g}" for key, value in record.items()
                     if key not in ("epoch", "time"))


class TextProgress:
    """Plain text: one line per epoch, and within an epoch a line at most every
    `interval` seconds.

    Args: epochs, steps_per_epoch: the size of the run; stream: where to print
    (None: sys.stdout at the time of printing); interval: seconds between lines within
    an epoch.
    """

    def __init__(self, epochs, steps_per_epoch, stream=None, interval=10.0):
        self.epochs, self.steps = epochs, steps_per_epoch
        self.stream, self.interval = stream, interval
        self._last = time.perf_counter()

    def _print(self, line):
        print(line, file=self.stream if self.stream is not None else sys.stdout,
              flush=True)

    def step(self, epoch, step, loss):
        """After a training step: print a line if `interval` seconds passed since the
        last one."""
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self._print(f"epoch {epoch}/{self.epochs}  step {step}/{self.steps}  loss "
                        f"{loss:.4g}")

    def epoch_end(self, record):
        """After an epoch: print its record, e.g.
        'epoch  3/10  train_loss 0.31  val_loss 0.35  (1.2 s)'."""
        self._last = time.perf_counter()
        width = len(str(self.epochs))
        self._print(f"epoch {record['epoch']:>{width}}/{self.epochs}  "
                    f"{_numbers(record)}  ({record['time']:.2f} s)")

    def close(self, message=None):
        """At the end of training: print `message`, if any."""
        if message:
            self._print(message)


class NotebookProgress:
    """In a notebook: a progress bar with the latest loss, and a plot of the epoch
    records below it.

    Updated from the training loop itself (no threads): the bar at most every
    `interval` seconds and at each epoch's end, the plot at most every `plot_interval`
    seconds and when training ends. Plain HTML and PNG display updates (no widgets), so
    the final state also shows in the built book; the plot needs matplotlib and is left
    out without it.
    """

    def __init__(self, epochs, steps_per_epoch, interval=0.2, plot_interval=1.0):
        from IPython.display import DisplayHandle

        self.epochs, self.steps = epochs, steps_per_epoch
        self.interval, self.plot_interval = interval, plot_interval
        self.records = []
        self.bar, self.plot = DisplayHandle(), DisplayHandle()
        self._plot_shown = False
        self._plotted = 0
        self._last_step = self._last_plot = time.perf_counter()
        self.bar.display(self._bar_html(0, 1, ""))

    def _bar_html(self, done, epoch, text):
        """The bar as plain HTML: it renders in a live notebook and in the built book
        alike."""
        from IPython.display import HTML

        total = self.epochs * self.steps
        return HTML(f'<progress value="{done}" max="{total}" style="width: '
                    '16em"></progress> '
                    f"<code>epoch {epoch}/{self.epochs}</code> {text}")

    def step(self, epoch, step, loss):
        """After a training step: move the bar and show the loss, at most every
        `interval` seconds."""
        now = time.perf_counter()
        if now - self._last_step >= self.interval:
            self._last_step = now
            self.bar.update(self._bar_html((epoch - 1) * self.steps + step, epoch,
                                           f"step {step}/{self.steps} &middot; loss "
                                           f"{loss:.4g}"))

    def epoch_end(self, record):
        """After an epoch: fill the bar up to it, show its numbers, and redraw the plot
        if it is time."""
        self.records.append(record)
        self.bar.update(self._bar_html(record["epoch"] * self.steps, record["epoch"],
                                       _numbers(record)))
        if time.perf_counter() - self._last_plot >= self.plot_interval:
            self._draw()

    def close(self, message=None):
        """At the end of training: draw the final plot and show `message`, if any."""
        if len(self.records) > self._plotted:
            self._draw()
        if message:
            last = self.records[-1]["epoch"] if self.records else 0
            self.bar.update(self._bar_html(last * self.steps, last, message))

    def _draw(self):
        """Plot every 'train_*' curve with its 'val_*' partner, one panel each, as a PNG
        in the display handle."""
        try:
            from matplotlib.figure import Figure
        except ImportError:
            return
        from IPython.display import Image

        names = [key[len("train_"):] for key in self.records[0]
                 if key.startswith("train_")]
        epochs = [r["epoch"] for r in self.records]
        fig = Figure(figsize=(4.2 * len(names), 3.0), layout="constrained")
        for ax, name in zip(fig.subplots(1, len(names), squeeze=False)[0], names):
            for split in ("train", "val"):
                if f"{split}_{name}" in self.records[0]:
                    ax.plot(epochs, [r[f"{split}_{name}"] for r in self.records],
                            marker=".", label=split)
            ax.set(xlabel="epoch", title=name)
            ax.legend()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        image = Image(data=buffer.getvalue(), format="png")
        if self._plot_shown:
            self.plot.update(image)
        else:
            self.plot.display(image)
            self._plot_shown = True
        self._plotted = len(self.records)
        self._last_plot = time.perf_counter()


def make_progress(epochs, steps_per_epoch):
    """The display for this environment: NotebookProgress in a Jupyter kernel, else
    TextProgress."""
    if in_notebook():
        return NotebookProgress(epochs, steps_per_epoch)
    return TextProgress(epochs, steps_per_epoch)
