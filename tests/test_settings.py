"""A setting is one care system: every value particular to a health system comes from the setting's own file,
each line with its source, and a user's own service is one more file, checked like the rest."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.paths import CONF
from tests.conftest import make_cfg

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = sorted(p.stem for p in (CONF / "setting").glob("*.yaml"))
TEMPLATE = ROOT / "docs" / "how-to" / "my_service.yaml"
QUICK = ["psa=none", "population.n=300", "burn_in_days=10", "horizon_days=60", "replications=1",
         "primary_outcome=readmission_30"]


def _keys(path):
    """group.key for every value a setting file sets (its targets as one key)."""
    data = yaml.safe_load(path.read_text())
    return {f"{group}.{key}" for group, values in data.items() for key in values}


def test_every_setting_sets_the_same_keys_and_no_group_file_sets_them():
    """A setting that left a key out would inherit another system's figure: every setting sets every key the
    default one does, and the shared group files set none of them."""
    england = _keys(CONF / "setting" / "england.yaml")
    assert {"care.mean_los_days", "care.beds_per_1000", "costs.bed_day", "population.n"} <= england
    for name in SETTINGS:
        assert _keys(CONF / "setting" / f"{name}.yaml") == england, name
    assert _keys(TEMPLATE) == england
    for group in ("care", "population"):
        shared = set(yaml.safe_load((CONF / group / "default.yaml").read_text()))
        assert not {f"{group}.{k}" for k in shared} & england, group
    assert not (CONF / "costs").exists()  # prices live in the settings only


@pytest.mark.parametrize("name", SETTINGS)
def test_every_value_of_a_setting_says_where_it_comes_from(name):
    """Each value line carries a comment: its source, or `assumption`, or a stand-in named as such."""
    text = (CONF / "setting" / f"{name}.yaml").read_text()
    body = text.split("\npopulation:", 1)[1]
    values = [line for line in body.splitlines() if re.match(r"^  \w+: ", line)]
    assert len(values) > 20
    unsourced = [line for line in values if "#" not in line]
    assert not unsourced, unsourced
    for target in yaml.safe_load(text)["setting"]["targets"].values():
        assert target["source"].strip()


@pytest.mark.parametrize("name", SETTINGS)
def test_a_setting_composes_and_names_its_posterior(name):
    cfg = make_cfg(f"setting={name}")
    assert cfg.setting.name == name
    assert cfg.psa.posterior == f"conf/setting/{name}/posterior.csv"


def test_prices_and_stays_follow_the_setting():
    england, ontario = make_cfg("setting=england"), make_cfg("setting=ontario")
    assert (england.costs.currency, ontario.costs.currency) == ("GBP", "CAD")
    assert england.care.mean_los_days != ontario.care.mean_los_days


def test_nothing_in_the_project_cites_a_file_outside_it():
    files = [p for pattern in ("sim/**/*.py", "sim/**/*.yaml", "docs/**/*.md", "experiments/*.yaml", "*.md")
             for p in ROOT.glob(pattern)]
    cited = [str(p) for p in files if re.search(r"DESIGN\.md|\.\./shared|/tmp/research", p.read_text())]
    assert not cited, cited


def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_the_how_to_template_runs_as_a_users_own_setting(tmp_path):
    """The template, copied into a folder of the user's own config, runs; a bad value in it is refused in one
    line naming the key, before any work."""
    (tmp_path / "setting").mkdir()
    (tmp_path / "setting" / "my_service.yaml").write_text(TEMPLATE.read_text())
    run = _run(f"hydra.searchpath=[file://{tmp_path}]", "setting=my_service", *QUICK,
               f"hydra.run.dir={tmp_path / 'out'}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "out" / "manifest.json").exists()
    (tmp_path / "setting" / "my_service.yaml").write_text(
        TEMPLATE.read_text().replace("beds_per_1000: 20.5682", "beds_per_1000: -25.0"))
    run = _run(f"hydra.searchpath=[file://{tmp_path}]", "setting=my_service", *QUICK,
               f"hydra.run.dir={tmp_path / 'bad'}")
    assert run.returncode == 2 and "care.beds_per_1000 = -25.0" in run.stderr
    assert run.stderr.count("\n") == 1 and not (tmp_path / "bad").exists()


def test_the_size_table_pairs_each_size_with_the_settings_own(tmp_path):
    from sim.tools.service_size import main
    assert main([*QUICK, "replications=2", "horizon_days=120", "--sizes", "600", "--out", str(tmp_path)]) == 0
    table = __import__("pandas").read_csv(tmp_path / "table.csv")
    assert sorted(set(table["patients"])) == [300, 600]
    own = table[table["setting_size"]]
    assert (own["patients"] == 300).all() and (own["difference"] == 0).all()
    assert (tmp_path / "manifest.json").exists() and "| 600 |" in (tmp_path / "table.md").read_text()
