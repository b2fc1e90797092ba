"""tinytorch.nn.functional: stateless versions of the layers, activations and losses."""
from tinytorch.core.layers import linear
from tinytorch.core.activations import relu, sigmoid, tanh, gelu, softmax, log_softmax, leaky_relu, silu
from tinytorch.core.losses import mse_loss, cross_entropy, binary_cross_entropy, binary_cross_entropy_with_logits
from tinytorch.core.more_losses import l1_loss, smooth_l1_loss, nll_loss
from tinytorch.core.spatial import conv2d, pad
from tinytorch.core.pooling import max_pool2d, avg_pool2d, adaptive_avg_pool2d
from tinytorch.core.batchnorm import batch_norm
from tinytorch.core.attention import scaled_dot_product_attention
from tinytorch.core.embedding import embedding, sinusoidal_positions
