"""tinytorch.data: datasets, batching and transforms (module 05), with torch.utils.data's names."""
from tinytorch.data.loader import DataLoader, Dataset, TensorDataset, default_collate
from tinytorch.data import transforms
