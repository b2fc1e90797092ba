"""autograder sync never overwrites a hand edit: the manifest, the refusal, --discard and its backup."""
import re

import pytest

import autograder.__main__ as cli
from autograder.course import sync


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "pkg").mkdir()
    return tmp_path


def _files(repo, **texts):
    return {repo / "pkg" / name: text for name, text in texts.items()}


def test_first_sync_writes_files_and_manifest(repo):
    out = sync.apply(_files(repo, a="A1\n", b="B1\n"), repo)
    assert sorted(map(str, out.written)) == ["pkg/a", "pkg/b"] and not out.edited
    assert sync.read_manifest(repo / "notebooks" / "generated.sha256") == {"pkg/a": sync.digest("A1\n"), "pkg/b": sync.digest("B1\n")}


def test_authors_flow_regenerates_without_discard(repo):
    sync.apply(_files(repo, a="A1\n", b="B1\n"), repo)
    out = sync.apply(_files(repo, a="A2\n", b="B1\n"), repo)  # the master changed: sync rewrites its own file
    assert [str(p) for p in out.written] == ["pkg/a"] and (repo / "pkg" / "a").read_text() == "A2\n"
    assert sync.read_manifest(repo / "notebooks" / "generated.sha256")["pkg/a"] == sync.digest("A2\n")


def test_hand_edit_is_refused_naming_the_file_and_nothing_is_written(repo):
    sync.apply(_files(repo, a="A1\n", b="B1\n"), repo)
    (repo / "pkg" / "a").write_text("my edit\n")
    manifest = (repo / "notebooks" / "generated.sha256").read_text()
    with pytest.raises(sync.EditedByHand) as e:
        sync.apply(_files(repo, a="A2\n", b="B2\n"), repo)
    assert [str(p) for p in e.value.paths] == ["pkg/a"]
    assert (repo / "pkg" / "a").read_text() == "my edit\n" and (repo / "pkg" / "b").read_text() == "B1\n"
    assert (repo / "notebooks" / "generated.sha256").read_text() == manifest
    assert not list(repo.rglob("*.bak-*"))


def test_an_unlisted_existing_file_counts_as_a_hand_edit(repo):
    (repo / "pkg" / "a").write_text("written by someone\n")
    with pytest.raises(sync.EditedByHand):
        sync.apply(_files(repo, a="A1\n"), repo)


def test_discard_keeps_a_dated_backup_then_overwrites(repo):
    sync.apply(_files(repo, a="A1\n"), repo)
    (repo / "pkg" / "a").write_text("my edit\n")
    out = sync.apply(_files(repo, a="A2\n"), repo, discard=True)
    assert (repo / "pkg" / "a").read_text() == "A2\n"
    (backup,) = out.backups
    assert re.fullmatch(r"pkg/a\.bak-\d{8}-\d{6}", str(backup)), backup
    assert (repo / backup).read_text() == "my edit\n"


def test_check_reports_without_writing(repo):
    sync.apply(_files(repo, a="A1\n"), repo)
    (repo / "pkg" / "a").write_text("my edit\n")
    out = sync.apply(_files(repo, a="A1\n", b="B\n"), repo, check=True)
    assert [str(p) for p in out.written] == ["pkg/a", "pkg/b"] and [str(p) for p in out.edited] == ["pkg/a"]
    assert out.manifest_changed and not (repo / "pkg" / "b").exists()


def test_one_module_keeps_the_other_entries(repo):
    sync.apply(_files(repo, a="A1\n", b="B1\n"), repo)
    sync.apply(_files(repo, a="A2\n"), repo, complete=False)
    assert set(sync.read_manifest(repo / "notebooks" / "generated.sha256")) == {"pkg/a", "pkg/b"}
    sync.apply(_files(repo, a="A2\n"), repo)
    assert set(sync.read_manifest(repo / "notebooks" / "generated.sha256")) == {"pkg/a"}


def _fake_sync(monkeypatch, repo, files, zips=()):
    def fake(check=False, only=None, discard=False):
        return sync.apply(files, repo, check=check, discard=discard), list(zips)
    monkeypatch.setattr(cli, "sync", fake)
    monkeypatch.setattr(cli, "ROOT", repo)
    monkeypatch.setattr(cli, "MANIFEST", repo / "notebooks" / "generated.sha256")


def test_cli_refuses_with_exit_3_and_names_the_file(repo, monkeypatch, capsys):
    sync.apply(_files(repo, a="A1\n"), repo)
    (repo / "pkg" / "a").write_text("my edit\n")
    _fake_sync(monkeypatch, repo, _files(repo, a="A2\n"))
    assert cli.main(["sync"]) == 3
    err = capsys.readouterr().err
    assert "pkg/a: edited by hand" in err and "--discard" in err
    assert cli.main(["sync", "--check"]) == 1
    assert "pkg/a: differs from its source (edited by hand)" in capsys.readouterr().out
    assert cli.main(["sync", "--discard"]) == 0
    assert "your edit kept as pkg/a.bak-" in capsys.readouterr().out


def test_cli_last_line_says_what_it_did(repo, monkeypatch, capsys):
    zips = ["notebooks/01_tensor-autograder.zip"]
    _fake_sync(monkeypatch, repo, _files(repo, a="A1\n"), zips)
    assert cli.main(["sync"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("wrote 1 generated file; rebuilt 1 autograder zip")
    assert cli.main(["sync"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "generated files were already up to date; rebuilt 1 autograder zip (notebooks/NN_name-autograder.zip)")
    assert cli.main(["sync", "--check"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "all generated files are up to date"
