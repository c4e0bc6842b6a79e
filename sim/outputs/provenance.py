"""Where a result was made: the commit and whether it was clean, Python, the platform, package versions.

Committed results must come from a clean commit, and a result re-runs to the
same numbers only where the numbers' inputs are the same: the code (the
commit) and the packages that compute (pinned in constraints.txt).
`python -m sim.reproduce` lists what differs between a manifest's environment
and the running one before it compares numbers.
"""

import platform
import subprocess
from importlib import metadata
from pathlib import Path

# Every installed package whose version can change a number or a figure of a result.
PACKAGES = ("peer-support-sim", "mesa", "numpy", "numba", "llvmlite", "networkx", "hydra-core", "omegaconf",
            "pandas", "scipy", "matplotlib", "SALib", "pyabc", "distributed", "pyarrow")


def git_state():
    """(commit, clean?) of the checkout holding this package; (None, None) outside a git checkout.

    Clean means no change to any tracked or untracked file outside results/: a study writes its results
    there while it runs, and results are made by the code, not inputs to it."""
    here = Path(__file__).parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--", ":/", ":(top,exclude)results"], cwd=here,
                                capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit.stdout.strip(), not status.stdout.strip()


def package_versions():
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def environment():
    """The manifest fields that say where a result was made."""
    commit, clean = git_state()
    return {
        "git_commit": None if commit is None else commit + ("" if clean else "-dirty"),
        "git_clean": clean,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "packages": package_versions(),
    }


def environment_differences(recorded, current=None):
    """One line per package (and Python) whose version in a manifest differs from the running one's."""
    current = environment() if current is None else current
    lines = []
    if recorded.get("python") != current["python"]:
        lines.append(f"python: {recorded.get('python')} in the manifest, {current['python']} here")
    recorded_packages = recorded.get("packages") or {}
    for name in sorted({*recorded_packages, *current["packages"]}, key=str.lower):
        was, now = recorded_packages.get(name), current["packages"].get(name)
        if name in recorded_packages and was != now:
            lines.append(f"{name}: {was} in the manifest, {now} here")
    return lines
