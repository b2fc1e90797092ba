"""The instructor guide (book/instructors.md) and the deploy workflow stay true to what they describe:
the workflow builds and deploys the site, and every grader or sync command the guide shows uses
options that the command line actually has (and every grader option is documented)."""
import argparse
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from autograder import course
from autograder.grading import cli as grade
from autograder.grading.sandbox import Limits
from autograder.grading.submissions import MAX_FILE

GUIDE = course.ROOT / "book" / "instructors.md"
WORKFLOW = course.ROOT / ".github" / "workflows" / "deploy-book.yml"
FENCE = re.compile(r"^(`{3,})[ \t]*([^\n`]*)\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
SHELL = {"bash", "sh", "shell", "console"}
OPERATORS = {"&&", "||", ";", "|", "&"}


# ---------------------------------------------------------------- the deploy workflow

@pytest.fixture(scope="module")
def workflow():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow, job):
    return workflow["jobs"][job]["steps"]


def _uses(steps, action):
    return [s for s in steps if str(s.get("uses", "")).split("@")[0] == action]


def test_workflow_runs_on_push_to_main_with_pages_permissions(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "main" in triggers["push"]["branches"] and "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_workflow_builds_the_site(workflow):
    steps = _steps(workflow, "build")
    assert _uses(steps, "actions/checkout")
    python = _uses(steps, "actions/setup-python")
    assert python and str(python[0]["with"]["python-version"]) == "3.11"
    runs = [s["run"] for s in steps if "run" in s]
    install = next(i for i, r in enumerate(runs) if "pip install -r requirements.txt" in r)
    build = next(i for i, r in enumerate(runs) if r.startswith("jupyter-book build . "))
    assert install < build and "-W" in runs[build].split()
    upload = _uses(steps, "actions/upload-pages-artifact")
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert steps.index(upload[0]) > [i for i, s in enumerate(steps) if s.get("run", "").startswith("jupyter-book")][0]


def test_workflow_deploys_the_build(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert _uses(deploy["steps"], "actions/deploy-pages")


def test_guide_shows_the_workflow_file_itself():
    assert "```{literalinclude} ../.github/workflows/deploy-book.yml" in GUIDE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- commands in the guide

def _cli(*command):
    """(options: {--name: takes a value}, positional names) from `python -m autograder ... --help`."""
    text = subprocess.run([sys.executable, "-m", "autograder", *command, "--help"], cwd=course.ROOT,
                          capture_output=True, text=True, check=True).stdout
    options, positionals, section = {}, [], None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section = line.rstrip(":")
            continue
        if section == "positional arguments":
            m = re.match(r"^  (\w+)(\s|$)", line)
            if m:
                positionals.append(m.group(1))
        elif section in ("options", "optional arguments"):
            m = re.match(r"^  (?:-\w, )?(--[\w-]+)(?: ([A-Z_]+))?", line)
            if m:
                options[m.group(1)] = m.group(2) is not None
    return options, positionals


@pytest.fixture(scope="module")
def cli():
    return {"grade": _cli("grade"), "sync": _cli("sync")}


def _guide_commands():
    """Every `python -m autograder SUBCOMMAND ...` command line the guide shows, as token lists (shell
    code blocks with their line continuations joined, and inline code; a bare `python -m autograder
    grade` in the text names the command and is left out)."""
    text = GUIDE.read_text(encoding="utf-8")
    lines = []
    for _, lang, body in FENCE.findall(text):
        if lang.strip().lower() in SHELL:
            lines += body.replace("\\\n", " ").splitlines()
    lines += re.findall(r"`(python -m autograder [^`]+)`", text)
    commands = []
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split, lexer.commenters = True, "#"
        tokens = list(lexer)
        for i in range(len(tokens) - 3):
            if tokens[i:i + 3] == ["python", "-m", "autograder"]:
                rest = tokens[i + 3:]
                end = next((j for j, t in enumerate(rest) if t in OPERATORS), len(rest))
                if end > 1:
                    commands.append(rest[:end])
    return commands


def _check(tokens, options, positionals):
    """Problems with one command line, given the options its --help lists."""
    problems, given, args = [], [], []
    it = iter(tokens)
    for token in it:
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            if name not in options:
                problems.append(f"{name} is not an option")
                continue
            given.append(name)
            if options[name] and "=" not in token and next(it, None) is None:
                problems.append(f"{name} needs a value")
        else:
            args.append(token)
    return problems, given, args


def test_guide_shows_grader_commands():
    subcommands = [c[0] for c in _guide_commands() if c]
    assert subcommands.count("grade") >= 3 and "sync" in subcommands


def test_every_grader_command_in_the_guide_uses_real_options(cli):
    options, positionals = cli["grade"]
    assert {"--out", "--workers", "--timeout", "--regrade"} <= set(options), "could not read the grader's --help"
    for command in (c for c in _guide_commands() if c[:1] == ["grade"]):
        problems, given, args = _check(command[1:], options, positionals)
        if not problems and "--help" not in given:
            if len(args) != len(positionals):
                problems.append(f"takes {len(positionals)} arguments ({', '.join(positionals)}), got {args}")
            if "--out" not in given:
                problems.append("--out is required")
        assert not problems, f"`python -m autograder {' '.join(command)}`: {'; '.join(problems)}"


def test_every_sync_command_in_the_guide_uses_real_options(cli):
    options, _ = cli["sync"]
    for command in (c for c in _guide_commands() if c[:1] == ["sync"]):
        problems, _, args = _check(command[1:], options, [])
        if args:
            problems.append(f"sync takes no arguments, got {args}")
        assert not problems, f"`python -m autograder {' '.join(command)}`: {'; '.join(problems)}"


def test_every_grader_option_is_documented_with_its_default(cli):
    text = GUIDE.read_text(encoding="utf-8")
    options, _ = cli["grade"]
    parser = argparse.ArgumentParser()
    grade.add_arguments(parser)
    defaults = {a.option_strings[-1]: a.default for a in parser._actions if a.option_strings}
    rows = dict(re.findall(r"^\| `(--[\w-]+)[^`]*` \| ([^|]+) \|", text, re.MULTILINE))
    missing = [o for o in options if o != "--help" and o not in rows]
    assert not missing, f"grader options missing from the guide's option table: {missing}"
    for option, shown in rows.items():
        default = defaults.get(option)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            number = re.match(r"\s*([\d.]+)", shown)
            assert number and float(number.group(1)) == default, \
                f"the guide gives {option} the default {shown.strip()!r}; the grader's is {default}"


def test_fixed_limits_in_the_guide_are_the_graders():
    text = GUIDE.read_text(encoding="utf-8")
    L = Limits()
    for fact in (f"files up to {L.file_mb} MB", f"{L.open_files} open files", f"first {L.keep_output_kb} KB",
                 f"beyond {L.output_mb:g} MB", f"over {MAX_FILE >> 20} MB"):
        assert fact in text, f"the guide should say {fact!r} (the grader's current limit)"


def test_unreadable_file_statuses_in_the_guide_exist_in_the_grader():
    text = GUIDE.read_text(encoding="utf-8")
    source = (course.ROOT / "autograder" / "grading" / "submissions.py").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `empty file`"))
    statuses = re.findall(r"`([^`]+)`", row.split(" | ")[0])
    assert len(statuses) >= 10
    for status in statuses:
        stem = re.split(r"…|\d", status)[0]
        assert stem in source, f"the guide lists the status {status!r}, which autograder/grading/submissions.py does not produce"
