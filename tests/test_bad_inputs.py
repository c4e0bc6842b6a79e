"""The table of bad inputs: each stops the command line before any work, with exit status 2,
one line naming the key or file, and nothing written to the results folder."""

import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from sim.__main__ import cli
from sim.errors import ConfigError
from sim.paths import CONF
from tests.conftest import make_cfg

NETWORK_FILES = {
    "empty.txt": "",
    "comments.txt": "# only a comment\n",
    "malformed.txt": "0 1\n1 2 3\n",
    "wrong_type.txt": "0 1\n1 2.5\n",
    "negative.txt": "0 1\n-1 2\n",
    "too_few.txt": "0 1\n1 2\n",
    "self_loop.txt": "0 1\n3 3\n",
}
ROOT = Path(__file__).resolve().parents[1]
BAD_SETTING = (CONF / "setting" / "england.yaml").read_text().replace("bed_day: 651.29", "bed_day: -651.29")
# a programme file of one's own, for --config-dir
MINE = (CONF / "program" / "discharge_support.yaml").read_text().replace("name: discharge_support", "name: mine")
# a normal of the uptake probability that [0, 1] would cut by 46%: its draws could not be centred on 0.9
UPTAKE_DRAW = "psa.parameters=[{key:program.uptake,distribution:normal,mean:0.9,sd:0.5}]"

# (command-line arguments, text the one-line message must contain); {d} is a folder of bad files
CASES = [
    # population
    (["population.n=5"], "population.n"),
    (["population.n=abc"], "population.n"),
    (["population.diagnosis_shares=[0.5,0.5,0.5]"], "population.diagnosis_shares"),
    (["population.hope_mean=nan"], "population.hope_mean"),
    # network
    (["network.mean_degree=7"], "network.mean_degree"),
    (["network.rewiring=1.5"], "network.rewiring"),
    (["network.mean_degree=20000"], "network.mean_degree"),
    (["network=file"], "network.path"),
    (["network=file", "network.path={d}/missing.txt"], "missing.txt"),
    (["network=file", "network.path={d}/empty.txt"], "empty.txt"),
    (["network=file", "network.path={d}/comments.txt"], "comments.txt"),
    (["network=file", "network.path={d}/malformed.txt"], "malformed.txt, line 2"),
    (["network=file", "network.path={d}/wrong_type.txt"], "wrong_type.txt, line 2"),
    (["network=file", "network.path={d}/negative.txt"], "negative.txt, line 2"),
    (["network=file", "network.path={d}/too_few.txt"], "too_few.txt"),
    (["network=file", "network.path={d}/self_loop.txt"], "self_loop.txt, line 2"),
    (["network=file", "network.path={d}/binary.txt"], "binary.txt"),
    (["network=ring"], "network/ring"),
    # care
    (["care.beds_per_1000=-1"], "care.beds_per_1000"),
    (["care.relapse_base_per_day=[0.001,inf,0.001]"], "care.relapse_base_per_day"),
    (["+care.bedz=3"], "care.bedz"),
    (["care.bedz=3"], "care.bedz"),
    # program
    (["program.uptake=1.5"], "program.uptake"),
    (["program.caseload_capacity=0"], "program.caseload_capacity"),
    (["program=no_such_programme"], "program/no_such_programme"),
    # a peer contact's effect is shared by every programme: a programme cannot set its own
    (["program.hope_gain=0.1"], "program.hope_gain: Key 'hope_gain' not in 'ProgramConfig'; a peer contact's "
                                "effect is shared by every programme: set contact.hope_gain"),
    # contact
    (["contact.match_bonus=-1"], "contact.match_bonus"),
    (["contact.self_management_multiplier=21"], "contact.self_management_multiplier"),
    # workforce
    (["workforce.clinician_acceptance=1.2"], "workforce.clinician_acceptance"),
    (["workforce.hiring_delay_days=-5"], "workforce.hiring_delay_days"),
    # extension
    (["extension.module=no.such.module"], "extension.module"),
    (["extension=text_reminders", "extension.params.window_days=0"], "extension.params"),
    (["extension=nope"], "extension/nope"),
    # program (more)
    (["program.entry=whenever"], "program.entry"),
    (["program.diagnoses=[true,false]"], "program.diagnoses"),
    # GraphML network file
    (["network=file", "network.path={d}/loop.graphml"], "loop.graphml"),
    (["network=file", "network.path={d}/broken.graphml"], "broken.graphml"),
    # costs
    (["costs.bed_day=-1"], "costs.bed_day"),
    (["hydra.searchpath=[file://{d}]", "setting=bad"], "costs.bed_day = -651.29: must be in [0.0, 1000000.0] "
                                                       "(currency/day) (set in setting/bad.yaml)"),
    (["hydra.searchpath=[file://{d}]", "setting=nowhere"], "setting/nowhere"),
    (["hydra.searchpath=[file://{d}]", "setting=misnamed"], "setting.name = 'england': must be the setting file's "
                                                            "name, 'misnamed'"),
    # run settings
    (["engine=fortran"], "engine"),
    (["threads=0"], "threads"),
    (["threads=4096"], "threads = 4096: this process allows at most"),
    (["replications=0"], "replications"),
    (["seed=-1"], "seed"),
    (["horizon_days=100"], "horizon_days"),
    (["primary_outcome=readmission_31"], "primary_outcome"),
    (["+extra=1"], "extra"),
    (["program.uptake=[1"], "[1"),
    # a sweep: the bad point is found before the good one runs
    (["-m", "program.uptake=0.2,2"], "sweep job 1"),
    # probabilistic sensitivity analysis
    (["psa=nope"], "psa/nope"),
    (["psa=default", "psa.parameters.3.distribution=cauchy"], "psa.parameters.3.distribution"),
    (["psa=default", "psa.parameters.0.sd=-43"], "psa.parameters.0.sd"),
    (["psa=default", "psa.parameters.3.cv=5"], "economics.utility_community: a beta needs"),
    (["psa=default", "psa.parameters.0.sd=43"], "costs.bed_day: give exactly one spread"),
    (["psa=default", "psa.parameters.0.mean=-430"], "costs.bed_day: centre -430 (mean) is outside the key's range"),
    (["psa=default", "psa.parameters.0.key=costs.bed_dayz"], "key costs.bed_dayz is not a config key"),
    (["psa=default", "psa.parameters.0.key=population.n.real"], "key population.n.real is not a config key"),
    (["psa=default", "psa.parameters.0.key=program.name"], "program.name"),
    ([UPTAKE_DRAW], "program.uptake: a normal with centre 0.9 (mean) and sd 0.5 puts 46%"),
    # economics
    (["economics.discount_rate_costs=-0.01"], "economics.discount_rate_costs"),
    (["economics.discount_rate_outcomes=1.5"], "economics.discount_rate_outcomes"),
    (["economics.utility_community=1.2"], "economics.utility_community"),
    (["economics.utility_inpatient=-2"], "economics.utility_inpatient"),
    (["economics.threshold=-1"], "economics.threshold"),
    (["economics.willingness_to_pay=[20000,-1]"], "economics.willingness_to_pay"),
    (["economics=nope"], "economics/nope"),
    # a folder given as the network file
    (["network=file", "network.path={d}"], "network.path = {d}: is a folder"),
    # config files from outside the package: --config-dir adds a folder, --config-path replaces the tree
    (["--config-dir", "{d}/extra", "program=mine"], "program.uptake = 1.7"),
    (["--config-dir", "{d}/no_such_folder"], "--config-dir {d}/no_such_folder"),
    (["--config-path", "{d}/conf_copy"], "costs.bed_day = -651.29"),
]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_inputs")
    for name, text in NETWORK_FILES.items():
        (d / name).write_text(text)
    (d / "binary.txt").write_bytes(b"\xff\xfe\x00\x01")
    looped = nx.path_graph(5000)
    looped.add_edge(7, 7)
    nx.write_graphml(looped, d / "loop.graphml")
    (d / "broken.graphml").write_text("<graphml><graph><node id='0'/>")
    (d / "setting").mkdir()
    (d / "setting" / "bad.yaml").write_text(BAD_SETTING)
    (d / "setting" / "misnamed.yaml").write_text((CONF / "setting" / "england.yaml").read_text())
    (d / "extra" / "program").mkdir(parents=True)
    (d / "extra" / "program" / "mine.yaml").write_text(MINE.replace("uptake: 0.4", "uptake: 1.7"))
    shutil.copytree(CONF, d / "conf_copy")
    (d / "conf_copy" / "setting" / "england.yaml").write_text(BAD_SETTING)
    return d


@pytest.mark.parametrize("args, named", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_stops_before_any_work(args, named, bad_files, tmp_path, capsys):
    out = tmp_path / "results"
    argv = [a.replace("{d}", str(bad_files)) for a in args] + [f"hydra.run.dir={out}", f"hydra.sweep.dir={out}"]
    with pytest.raises(SystemExit) as stop:
        cli(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert named.replace("{d}", str(bad_files)) in err
    assert err.startswith("config error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_hydra_full_error_gives_the_traceback(monkeypatch):
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    with pytest.raises(ConfigError, match="program.uptake"):
        cli(["program.uptake=2"])


def test_the_table_covers_every_config_group_and_file_type():
    keys = " ".join(" ".join(a) for a, _ in CASES)
    for group in ("population.", "network.", "care.", "program.", "contact.", "workforce.", "costs.", "economics.",
                  "psa", "extension", "engine", "replications"):
        assert group in keys
    assert "network.path" in keys and "setting=bad" in keys and ".graphml" in keys
    assert "--config-dir" in keys and "--config-path" in keys


def test_a_psa_entry_its_range_would_cut_names_the_key_the_share_and_the_range():
    """Draws are truncated to the key's range, so one cutting much of the distribution is refused up front."""
    with pytest.raises(ConfigError) as err:
        make_cfg(UPTAKE_DRAW)
    assert str(err.value) == ("psa.parameters: program.uptake: a normal with centre 0.9 (mean) and sd 0.5 puts 46% "
                              "of its draws outside the key's range [0.0, 1.0] (at most 5%): use a smaller spread "
                              "or a family that fits the range")


def test_a_psa_draw_inside_the_range_passes():
    make_cfg("psa=default", "psa.parameters=[{key:program.uptake,distribution:beta,mean:0.9,sd:0.05}]")


@pytest.mark.slow
def test_a_config_dir_with_a_programme_of_ones_own_runs(tmp_path):
    (tmp_path / "extra" / "program").mkdir(parents=True)
    (tmp_path / "extra" / "program" / "mine.yaml").write_text(MINE)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "sim", "--config-dir", str(tmp_path / "extra"), "program=mine",
                          "population.n=300", "psa=none", "replications=1", "burn_in_days=0", "horizon_days=40",
                          "primary_outcome=readmission_30", f"hydra.run.dir={out}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "mine vs usual_care" in run.stdout and (out / "manifest.json").exists()
