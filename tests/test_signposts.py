"""Every commit, file and module the README, the docs and the studies cite exists, so a reader who follows a
pointer finds what it names."""

import importlib.util
import re
import subprocess

import pytest

from sim.paths import CHECKOUT

# The README, the docs and the studies (the changelog is history: it names files as they were then).
PAGES = sorted([CHECKOUT / "README.md", *(CHECKOUT / "docs").rglob("*.md"), *(CHECKOUT / "experiments").glob("*.yaml")])
# A hash holds a letter and a digit (a seed such as 20261126 is not one).
COMMIT = re.compile(r"(?:\bcommits?\s+|\bclone of\s+|`)"
                    r"(?P<hash>(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40})\b`?")
# A path from the checkout's root, or a file at the root named alone (`summary.json` alone is a file of a
# results folder, not checked); placeholders (`<name>`, `NAME`, `*`) are not paths.
PATH = re.compile(r"`(?P<path>(?:sim|tests|docs|results|experiments|conf|\.ci)/(?![^`]*NAME)[^`\s<>*{}]+"
                  r"|[A-Z][A-Z_]*\.md|README\.md|CHANGELOG\.md|pyproject\.toml|constraints\.txt|mkdocs\.yml)`")
ROOT_DOCUMENT = re.compile(r"\b(?P<path>[A-Z][A-Z_]{2,}\.md)\b")  # README.md or any such name, backticks or not
MODULE = re.compile(r"`(?P<module>sim(?:\.[a-z_]+)+)`")
# Files a run or a test writes, which a page may name though no checkout holds them.
WRITTEN_AT_RUN_TIME = {"results/calibration/england/abc.db", "tests/artifacts/live_view.png"}


def _cited(pattern, group):
    for page in PAGES:
        for number, line in enumerate(page.read_text().splitlines(), 1):
            for m in pattern.finditer(line):
                yield f"{page.relative_to(CHECKOUT)}:{number}", m[group]


def _is_commit(sha):
    done = subprocess.run(["git", "-C", str(CHECKOUT), "cat-file", "-e", f"{sha}^{{commit}}"],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def git_history():
    if subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("not a git checkout: commits cannot be looked up")


def test_every_cited_commit_exists(git_history):
    missing = [f"{where}: {sha}" for where, sha in _cited(COMMIT, "hash") if not _is_commit(sha)]
    assert not missing, "\n".join(missing)


def _exists(path):
    path = re.split(r"[:#]", path.rstrip(".,;)"), maxsplit=1)[0]
    return path in WRITTEN_AT_RUN_TIME or (CHECKOUT / path).exists()


def test_every_cited_file_exists():
    cited = [*_cited(PATH, "path"), *_cited(ROOT_DOCUMENT, "path")]
    missing = [f"{where}: {path}" for where, path in cited if not _exists(path)]
    assert not missing, "\n".join(missing)


def _importable(name):
    """A module, or an attribute of one (`sim.tools.docs.main`): the longest importable prefix, then each
    remaining part as an attribute."""
    parts = name.split(".")
    for k in range(len(parts), 1, -1):
        try:
            found = importlib.util.find_spec(".".join(parts[:k])) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            node = importlib.import_module(".".join(parts[:k]))
            for attribute in parts[k:]:
                if not hasattr(node, attribute):
                    return False
                node = getattr(node, attribute)
            return True
    return False


def test_every_cited_module_exists():
    missing = [f"{where}: {module}" for where, module in _cited(MODULE, "module") if not _importable(module)]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("line", ["made from clean commit 58da0ed", "see `results/no_such_study/summary.json`",
                                  "the evidence in NO_SUCH_PAGE.md", "the module `sim.no_such_module`",
                                  "see `sim.tools.no_such_module`", "`sim.tools.docs.no_such_function`"])
def test_a_pointer_to_nothing_is_caught(line, git_history):
    """Each check fails on a pointer that names nothing."""
    assert [m for m in COMMIT.finditer(line) if not _is_commit(m["hash"])] \
        or [m for p in (PATH, ROOT_DOCUMENT) for m in p.finditer(line) if not _exists(m["path"])] \
        or [m for m in MODULE.finditer(line) if not _importable(m["module"])]
