"""Course tooling: `course` builds the course from its master notebooks (python -m autograder sync)
and `grading` grades submitted notebooks (python -m autograder grade)."""
