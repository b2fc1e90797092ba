"""tinytorch.nn.functional: stateless versions of the activations and losses."""
