"""tinytorch.training: the training loop and its tools (module 08): fit, evaluation, clipping, checkpoints, early stopping."""
from tinytorch.training.loop import train_step, accuracy, evaluate, fit
from tinytorch.training.clip import clip_grad_norm_
from tinytorch.training.checkpoint import CheckpointError, save_checkpoint, load_checkpoint
from tinytorch.training.callbacks import EarlyStopping
from tinytorch.training.progress import NotebookProgress, TextProgress, in_notebook, make_progress

__all__ = ["train_step", "accuracy", "evaluate", "fit", "clip_grad_norm_", "CheckpointError",
           "save_checkpoint", "load_checkpoint", "EarlyStopping", "NotebookProgress", "TextProgress",
           "in_notebook", "make_progress"]
