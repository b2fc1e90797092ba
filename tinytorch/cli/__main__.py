"""python -m tinytorch.cli ... (the same as the `tinytorch` command)."""
import sys

from tinytorch.cli.main import main

sys.exit(main())
