"""tinytorch.data: datasets, batching and transforms (module 05), with torch.utils.data's names."""
from tinytorch.data.loader import DataLoader, Dataset, TensorDataset, Subset, default_collate, random_split
from tinytorch.data import transforms
