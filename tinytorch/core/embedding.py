# Generated from notebooks/masters/11_embeddings.ipynb by tinytorch.export: edit the notebook, not this file.
"""tinytorch.core.embedding: the embedding lookup (F.embedding, nn.Embedding), its
scatter-add gradient, and sinusoidal position encodings."""
import numpy as np

from tinytorch.core.autograd import gradient
from tinytorch.core.creation import default_generator
from tinytorch.core.module import Module, Parameter
from tinytorch.core.tensor import Tensor


def _check_ids(input, num_embeddings):
    """The ids of `input`, a Tensor of int64 or int32, as a NumPy array; IndexError
    naming the first id outside 0 .. num_embeddings - 1."""
    if not isinstance(input, Tensor):
        raise TypeError("embedding: input should be a Tensor of int64 or int32 ids, "
                        f"got {type(input).__name__}")
    ids = input.data
    if ids.dtype not in (np.int64, np.int32):
        raise RuntimeError("embedding: input should hold int64 or int32 ids, got "
                           f"{ids.dtype} (make it with tinytorch.tensor(ids) or "
                           ".long())")
    bad = ids[(ids < 0) | (ids >= num_embeddings)]
    if bad.size:
        raise IndexError(f"embedding: id {int(bad[0])} is out of range for a table of "
                         f"{num_embeddings} rows (ids go from 0 to "
                         f"{num_embeddings - 1})")
    return ids


def _padding_index(padding_idx, num_embeddings):
    """padding_idx as a row in 0 .. num_embeddings - 1 (negative counts from the end),
    or None; AssertionError when it is outside the table."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings: got "
                             f"padding_idx={padding_idx} for {num_embeddings} rows")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def embedding(input, weight, padding_idx=None):
    """Rows of `weight` looked up by the ids in `input` (torch.nn.functional.embedding).

    Shapes: input (...) of int64 or int32 ids; weight (num_embeddings, embedding_dim)
    -> (..., embedding_dim). padding_idx: the row whose gradient is always zero.
    """
    if not isinstance(weight, Tensor):
        raise TypeError("embedding: weight should be a Tensor, got "
                        f"{type(weight).__name__}")
    if weight.ndim != 2:
        raise RuntimeError("embedding: 'weight' must be 2-D (num_embeddings, "
                           f"embedding_dim), got size {list(weight.shape)}")
    ids = _check_ids(input, weight.shape[0])
    padding = _padding_index(padding_idx, weight.shape[0])
    out = weight.data[ids]                                  # (..., embedding_dim)
    return Tensor.from_op(out, "embedding", (weight,),
                          {"indices": ids, "padding_idx": padding})


def scatter_add_rows(indices, rows, num_rows):
    """out[k] = the sum of rows[j] over the j with indices[j] == k, by sorting: equal
    ids become neighbours, np.add.reduceat adds each run, one write per distinct id.

    Shapes: indices (n,), rows (n, d) -> (num_rows, d), rows' dtype.
    """
    out = np.zeros((num_rows,) + rows.shape[1:], dtype=rows.dtype)
    if indices.size == 0:
        return out
    order = np.argsort(indices, kind="stable")
    sorted_ids = indices[order]
    # first of each run
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    out[sorted_ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def embedding_backward(grad, indices, num_embeddings, padding_idx=None):
    """dL/dweight of an embedding lookup, by scatter-add: row k is the sum of `grad`
    over the positions whose id is k; the padding_idx row is zero.

    Shapes: grad (..., d), indices (...) -> (num_embeddings, d).
    """
    d = grad.shape[-1]
    rows = grad.reshape(-1, d)
    d_weight = scatter_add_rows(indices.reshape(-1), rows, num_embeddings)
    if padding_idx is not None:
        d_weight[padding_idx] = 0
    return d_weight


@gradient("embedding")
def _embedding_grad(grad, out, inputs, saved):
    """embedding: d/dweight[k] = the sum of grad over the positions whose id is k (a
    scatter-add), zero for padding_idx."""
    (weight,) = inputs
    return (embedding_backward(grad, saved["indices"], weight.shape[0],
                               saved["padding_idx"]),)


class Embedding(Module):
    """A table of learned vectors, looked up by id (torch.nn.Embedding).

    Args: num_embeddings (rows: the vocabulary size), embedding_dim; padding_idx (the
        row that gets no gradient, zero at init; negative counts from the end); _weight
        (an initial table, copied as float32, not redrawn), _freeze (no gradient).
    Shape: (...) int64/int32 ids -> (..., embedding_dim).
    Attribute: weight (num_embeddings, embedding_dim), drawn from N(0, 1).
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, _weight=None,
                 _freeze=False):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim),
                                             dtype=np.float32))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings "
                                     "and embedding_dim: expected "
                                     f"{(num_embeddings, embedding_dim)}, got "
                                     f"{tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """Redraw the table from N(0, 1) and zero the padding row."""
        self.weight.data[...] = default_generator().standard_normal(self.weight.shape)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        """(...) ids -> (..., embedding_dim)."""
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding holding a float32 copy of the 2-D table `embeddings`
        (num_embeddings, embedding_dim), padding row included; frozen (requires_grad
        False) unless freeze=False."""
        if len(embeddings.shape) != 2:
            raise AssertionError("Embeddings parameter is expected to be "
                                 f"2-dimensional, got shape {tuple(embeddings.shape)}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, _weight=embeddings, _freeze=freeze)


def sinusoidal_positions(length, dim):
    """The fixed position encodings of Vaswani et al. (2017): PE[t, 2i] = sin(t w_i),
    PE[t, 2i + 1] = cos(t w_i), w_i = 10000 ** (-2i / dim).

    Shapes: -> (length, dim), float32.
    """
    if length < 0 or dim < 1:
        raise ValueError("sinusoidal_positions: length should be >= 0 and dim >= 1, "
                         f"got length={length}, dim={dim}")
    positions = np.arange(length, dtype=np.float64)[:, None]             # (length, 1)
    rates = 10000.0 ** (-np.arange(0, dim, 2, dtype=np.float64) / dim)  # (ceil(dim/2),)
    angles = positions * rates                                # (length, ceil(dim / 2))
    table = np.empty((length, dim))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, :dim // 2])
    return Tensor(table, dtype=np.float32)
