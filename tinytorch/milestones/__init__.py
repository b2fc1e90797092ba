"""tinytorch.milestones: the full runs behind the milestone notebooks (python -m tinytorch.milestones.<name>).

A milestone notebook (notebooks/milestones/) runs a short version within the book's page budget and
shows the results these commands recorded; `cnn1998` trains the 1998 milestone's networks."""
