"""Course tooling: regenerate everything derived from the master notebooks (and, later, grade)."""
