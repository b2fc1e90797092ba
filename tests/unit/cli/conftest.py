"""Fixtures of the CLI tests: a workspace in tmp_path, the environment cleared of the CLI's variables."""
import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("TINYTORCH_WORKSPACE", raising=False)
    monkeypatch.delenv("TINYTORCH_COURSE", raising=False)


@pytest.fixture
def ws(tmp_path):
    return tmp_path / "work"
