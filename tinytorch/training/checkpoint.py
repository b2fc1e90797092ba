# Generated from notebooks/masters/08_training.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.training.checkpoint: save a model, its optimizer and extra values to one
.npz file, atomically; load them with checks."""
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from tinytorch.core.tensor import Tensor

FORMAT = "tinytorch-checkpoint"
VERSION = 1
HEADER = "__header__"  # the archive member that holds the JSON header


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read, or that does not fit the model or optimizer;
    the message says why."""


def _encode(value, arrays, name):
    """`value` as JSON-ready data. Arrays and Tensors inside it move into the dict
    `arrays` under names that say where they were ("optimizer/state/0/exp_avg"), leaving
    a reference behind; tuples and dicts with keys other than strings are tagged so that
    _decode rebuilds them exactly."""
    if isinstance(value, (Tensor, np.ndarray)):
        if name in arrays:
            raise ValueError(f"cannot store two arrays under the name {name!r} in one "
                             "checkpoint")
        arrays[name] = value.data if isinstance(value, Tensor) else value
        return {"__tensor__" if isinstance(value, Tensor) else "__array__": name}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_encode(item, arrays, f"{name}/{i}") for i, item in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("__") for key in value):
            return ({key: _encode(item, arrays, f"{name}/{key}") for key,
                     item in value.items()})
        return {"__items__": [[_encode(key, arrays, f"{name}/key{i}"),
                               _encode(item, arrays, f"{name}/{key}")]
                              for i, (key, item) in enumerate(value.items())]}
    raise TypeError(f"cannot store {name} in a checkpoint: a {type(value).__name__} is "
                    "not a number, string, list, tuple, dict, array or Tensor")


def _decode(value, arrays):
    """The inverse of _encode: rebuild tuples, non-string keys, arrays and Tensors."""
    if isinstance(value, list):
        return [_decode(item, arrays) for item in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__tensor__" in value:
        values = arrays[value["__tensor__"]]
        return Tensor(values, dtype=values.dtype)
    if "__tuple__" in value:
        return tuple(_decode(item, arrays) for item in value["__tuple__"])
    if "__items__" in value:
        return ({_decode(key, arrays): _decode(item, arrays) for key,
                 item in value["__items__"]})
    return {key: _decode(item, arrays) for key, item in value.items()}


def save_checkpoint(path, model, optimizer=None, **extra):
    """Write the model's parameters, the optimizer's state and `extra` values to the
    .npz file `path`.

    extra: keyword values to keep (epoch=3, history={...},
        scheduler=scheduler.state_dict()):
    numbers, strings, None, lists, tuples, dicts, arrays and Tensors, nested as you
    like.
    Atomic: the archive is written to a temporary file in the same folder and renamed
        over `path`
    only once complete, so an interrupted save leaves any previous checkpoint intact.
    No pickle: arrays are .npy members, everything else is JSON in the member
        __header__.
    Returns the path written, a pathlib.Path.
    """
    path = Path(path)
    arrays = {f"model/{name}": value for name, value in model.state_dict().items()}
    header = {"format": FORMAT, "version": VERSION, "model": type(model).__name__,
              "optimizer": None, "extra": _encode(extra, arrays, "extra")}
    if optimizer is not None:
        header["optimizer"] = {"class": type(optimizer).__name__,
                               "state_dict": _encode(optimizer.state_dict(), arrays,
                                                     "optimizer")}
    arrays[HEADER] = np.array(json.dumps(header))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_checkpoint(path, model, optimizer=None):
    """Restore a checkpoint written by save_checkpoint into `model` (and `optimizer`);
    return the extras.

    Everything is checked before anything changes. Raises FileNotFoundError if `path`
    does not exist, and CheckpointError if it is not a readable checkpoint (corrupt,
    truncated, another format), if its parameters do not fit the model (missing or
    unexpected keys, other shapes: all are named), or if its optimizer state does not
    fit `optimizer`. Returns the `extra` values given to save_checkpoint, as a dict.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not an .npz archive")
        with archive:
            arrays = {name: archive[name] for name in archive.files}
        header = json.loads(str(arrays.pop(HEADER)))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"its header does not say format '{FORMAT}'")
        if header["version"] > VERSION:
            raise ValueError(f"it has version {header['version']}; this tinytorch "
                             f"reads up to version {VERSION}")
        model_class, saved_optimizer = header["model"], header["optimizer"]
        extra = _decode(header["extra"], arrays)
        optimizer_state = None if saved_optimizer is None else _decode(
            saved_optimizer["state_dict"], arrays)
    except (OSError, ValueError, TypeError, EOFError, KeyError,
            zipfile.BadZipFile) as error:
        raise CheckpointError(f"{path} is not a readable tinytorch checkpoint "
                              f"({type(error).__name__}: {error})") from None

    saved = {name[len("model/"):]: value for name,
             value in arrays.items() if name.startswith("model/")}
    own = model.state_dict()  # parameters and persistent buffers, by name
    problems = []
    missing = [key for key in own if key not in saved]
    unexpected = [key for key in saved if key not in own]
    if missing:
        problems.append(
            "missing keys (in the model, not in the checkpoint): " + ", ".join(missing))
    if unexpected:
        problems.append(
            "unexpected keys (in the checkpoint, not in the model): " + ", ".join(
                unexpected))
    problems += [f"shape mismatch for {key}: checkpoint {saved[key].shape} vs model "
                 f"{own[key].shape}"
                 for key in own if key in saved and saved[key].shape != own[key].shape]
    if problems:
        raise CheckpointError(f"{path} (saved from a {model_class}) does not fit this "
                              f"{type(model).__name__}:\n  " + "\n  ".join(problems))

    if optimizer is not None:
        if saved_optimizer is None:
            raise CheckpointError(f"{path} holds no optimizer state (it was saved "
                                  "without an optimizer); load it without one")
        if saved_optimizer["class"] != type(optimizer).__name__:
            raise CheckpointError(f"{path} holds {saved_optimizer['class']} optimizer "
                                  "state, which cannot be loaded into "
                                  f"{type(optimizer).__name__}")
        try:
            optimizer.load_state_dict(optimizer_state)
        except (ValueError, KeyError) as error:
            raise CheckpointError(f"the optimizer state in {path} does not fit this "
                                  f"{type(optimizer).__name__}: {error}") from None
    model.load_state_dict(saved)
    return extra
