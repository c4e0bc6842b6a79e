"""Generated documentation (the site's pages in docs/) is in sync with the code and conf/, and complete."""

import json
import re
import shutil
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from sim.paths import CONF
from sim.tools.docs import BLOCKS, DOCUMENTS, assumption_list, pages_with_blocks, parameter_table, phase_list, render

ROOT = Path(__file__).resolve().parents[1]
RESULT_TABLES_ONLY = shutil.ignore_patterns("*.png", ".hydra", "*.parquet", "jobs")  # what the pages do not quote


@pytest.mark.parametrize("name", DOCUMENTS)
def test_committed_document_matches_what_the_code_generates(name):
    text = (ROOT / name).read_text()
    assert render(text) == text, "run: python -m sim.docs"


def test_every_generated_block_lives_in_a_page_the_generator_writes():
    """Moving a block to another page without listing the page in DOCUMENTS would leave it unchecked."""
    assert sorted(pages_with_blocks()) == sorted(DOCUMENTS)
    texts = [(ROOT / name).read_text() for name in DOCUMENTS]
    for block in BLOCKS:  # each block is in some page, with its end marker after its start
        start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
        assert any(start in t and t.index(start) < t.find(end) for t in texts), block


def test_every_page_the_generator_writes_is_in_the_site():
    """DOCUMENTS other than the README are pages in mkdocs.yml's nav, so the tables checked are the ones the
    site publishes."""
    nav = (ROOT / "mkdocs.yml").read_text()
    for name in DOCUMENTS:
        assert name == "README.md" or (name.startswith("docs/") and f": {name.removeprefix('docs/')}" in nav), name


def test_changing_a_default_without_regenerating_is_caught(tmp_path):
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    shutil.copytree(ROOT / "results", tmp_path / "results", ignore=RESULT_TABLES_ONLY)  # the pages quote results
    setting = tmp_path / "conf" / "setting" / "england.yaml"  # the default setting sets the beds
    text = setting.read_text()
    assert re.search(r"^  beds_per_1000: +\S+", text, re.M)
    setting.write_text(re.sub(r"^(  beds_per_1000: +)\S+", r"\g<1>9.9", text, flags=re.M))
    with_table = [name for name in DOCUMENTS if "<!-- parameters:start -->" in (ROOT / name).read_text()]
    assert "docs/reference/parameters.md" in with_table and "docs/explanation/odd.md" in with_table
    for name in with_table:
        committed = (ROOT / name).read_text()
        regenerated = render(committed, tmp_path)
        assert regenerated != committed and "| `9.9` |" in regenerated  # the stale document fails the check
        assert render(regenerated, tmp_path) == regenerated  # regenerated, it passes


def test_every_resolved_config_key_is_in_the_parameter_table():
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = OmegaConf.to_container(compose("config"))

    def keys(node, prefix=""):
        for key, value in node.items():
            if isinstance(value, dict) and value and f"{prefix}{key}" != "setting.targets":  # free-form: one row
                yield from keys(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}"

    table = parameter_table()
    listed = set(re.findall(r"^\| `([\w.]+)` \|", table, re.M))
    assert set(keys(cfg)) == listed


def test_every_default_value_states_its_source_or_meaning():
    """Each default in conf/ carries a comment: a citation, `assumption`, or what the value means."""
    missing = [line.split("|")[1].strip() for line in parameter_table().splitlines()[2:]
               if line.split("|")[6].strip() == "-"]
    assert missing == []


def test_the_phases_are_listed_in_the_order_the_kernel_runs_them():
    phases = phase_list().splitlines()
    assert [int(p.split(".")[0]) for p in phases] == list(range(len(phases)))
    assert phases[0].startswith("0. start of day") and "relapse" in phases[1] and "end of day" in phases[-1]


def test_programme_values_come_from_the_base_unless_the_default_programme_sets_its_own(tmp_path):
    """The default programme extends conf/program/_base_.yaml: the table shows the composed values, each with
    the comment of the file that sets it; the assumption list names that file."""
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    shutil.copytree(ROOT / "results", tmp_path / "results", ignore=RESULT_TABLES_ONLY)  # the pages quote results
    base = tmp_path / "conf" / "program" / "_base_.yaml"
    text = base.read_text()
    assert re.search(r"^fidelity: +0\.8 ", text, re.M) and re.search(r"^uptake: +0\.0 ", text, re.M)
    text = re.sub(r"^fidelity: +0\.8 +#.*$", "fidelity: 0.55  # score 0-1; assumption (changed here)", text,
                  flags=re.M)
    base.write_text(re.sub(r"^uptake: +0\.0 +#.*$", "uptake: 0.05  # probability; changed here", text, flags=re.M))
    table = parameter_table(tmp_path)
    assert "| `0.55` | score 0-1; assumption (changed here) |" in table  # inherited by discharge_support
    [uptake] = [line for line in table.splitlines() if line.startswith("| `program.uptake` |")]
    assert uptake.endswith("| `0.4` | probability; assumption |")  # discharge_support's own value wins
    assumptions = assumption_list(tmp_path)
    assert "| `program/_base_.yaml` | `fidelity` | `0.55` |" in assumptions
    assert "| `program/discharge_support.yaml` | `fidelity` |" not in assumptions


def test_numbers_quoted_from_results_follow_the_committed_results(tmp_path):
    """The README's main-job table and the studies' and validation tables are generated from results/: a
    changed committed number makes the committed pages stale."""
    shutil.copytree(ROOT / "results", tmp_path / "results", ignore=RESULT_TABLES_ONLY)  # it quotes many studies
    validation = tmp_path / "results" / "calibration" / "england" / "validation" / "validation.csv"
    validation.write_text(re.sub(r",True$", ",False", validation.read_text(), count=1, flags=re.M))
    page = (ROOT / "docs" / "explanation" / "validation.md").read_text()
    assert render(page, root=tmp_path) != page
    assert render(page, root=tmp_path).count("| **no** |") == page.count("| **no** |") + 1


def test_a_quoted_number_follows_its_result(tmp_path):
    """A number quoted in prose is rewritten from its source: a changed committed number makes the page stale."""
    shutil.copytree(ROOT / "results", tmp_path / "results", ignore=RESULT_TABLES_ONLY)
    summary = tmp_path / "results" / "default_comparison" / "summary.json"
    data = json.loads(summary.read_text())
    data["economics"]["icer"]["value"] = 12345.0
    summary.write_text(json.dumps(data))
    readme = (ROOT / "README.md").read_text()
    assert "-->12,345<!-- . --> per QALY" in render(readme, root=tmp_path)
    assert render(readme, root=tmp_path) != readme
