"""Calibration by ABC-SMC: the same posterior on one process and on a Dask cluster, a resumed run equal to
an uninterrupted one, a database of other settings refused, an exact kernel equal to pyabc's own, the
distance and the posterior's weighted picks on hand-computed cases, clear errors for bad settings."""

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
import pytest
import yaml
from pyabc.transition import MultivariateNormalTransition

from sim.calibration.cluster import slurm_options
from sim.calibration.posterior import weighted_quantile
from sim.calibration.sampler import SeededMappingSampler
from sim.calibration.settings import load_settings
from sim.calibration.smc import StandardisedDistance
from sim.calibration.transition import ExactNormalTransition
from sim.cli.calibrate import apply
from sim.config.posterior import pick
from sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
MODEL = ["program=self_management", "trial=core", "population.n=600", "burn_in_days=30", "horizon_days=500",
         "primary_outcome=readmission_30", "trial.sample_size=40", "trial.recruitment_days=120",
         "trial.follow_up_days=150", "psa=none", "replications=1"]
SMALL = "model_overrides=[" + ",".join(f'"{o}"' for o in MODEL) + "]"  # list items quoted: they hold '='


def calibrate(folder, *args):
    run = subprocess.run([sys.executable, "-m", "sim.calibrate", SMALL, f"db={folder}/abc.db", f"out={folder}",
                          "particles=6", "predictive_draws=4", *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.mark.slow
def test_the_posterior_is_the_same_on_a_dask_cluster_and_after_a_resume(tmp_path):
    """One process, two generations; a local Dask cluster of two workers, stopped after one generation and
    resumed to two: the same particles, weights and predictive draws, byte for byte."""
    calibrate(tmp_path / "one", "generations=2", "workers=1")
    calibrate(tmp_path / "dask", "generations=1", "workers=2")
    assert not (tmp_path / "dask" / "abc.db").stat().st_size == 0
    calibrate(tmp_path / "dask", "generations=2", "workers=2")
    for name in ("posterior.csv", "predictive.csv", "posterior_summary.csv", "fitted_vs_target.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name
    generations = pd.read_csv(tmp_path / "one" / "generations.csv")
    assert list(generations["generation"]) == [0, 1] and (generations["particles"] == 6).all()
    assert (generations["acceptance"] <= 1).all() and (generations["effective_sample_size"] <= 6 + 1e-9).all()
    posterior = pd.read_csv(tmp_path / "one" / "posterior.csv")
    assert len(posterior) == 6 and math.isclose(posterior["weight"].sum(), 1.0)
    meta = json.loads((tmp_path / "one" / "posterior.json").read_text())
    assert meta["program"] == "self_management" and meta["generation"] == 1
    fitted = pd.read_csv(tmp_path / "one" / "fitted_vs_target.csv")
    assert set(fitted["target"]) == {"service_readmission_90", "service_share_of_30_day_within_7",
                                     "service_occupancy", "control_rate", "intervention_rate"}  # England's
    assert (fitted["predictive_low"] <= fitted["predictive_median"]).all()
    assert (tmp_path / "one" / "manifest.json").exists() and (tmp_path / "one" / "posterior_pairs.png").exists()
    # --apply into a copy of conf/: the posterior sample goes to setting/england/, each calibrated key's line
    # gets the posterior mean and a comment naming the calibration, in the setting's file where it sets the
    # key (care), else in its group's file (the model's choice, else default.yaml); every other line stays
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    settings = load_settings([SMALL, f"db={tmp_path}/one/abc.db", f"out={tmp_path}/one", "particles=6"])
    apply(settings, tmp_path / "conf")
    shipped = (tmp_path / "conf" / "setting" / "england" / "posterior.csv").read_bytes()
    assert shipped == (tmp_path / "one" / "posterior.csv").read_bytes()
    means = pd.read_csv(tmp_path / "one" / "posterior_summary.csv").set_index("key")["mean"]
    files = {"care": "setting/england.yaml", "contact": "contact/default.yaml",
             "program": "program/self_management.yaml"}
    for key, mean in means.items():
        group, name = key.split(".")
        text = (tmp_path / "conf" / files[group]).read_text()
        loaded = yaml.safe_load(text)
        assert abs((loaded[group] if group == "care" else loaded)[name] - mean) <= 5e-5, key
        assert re.search(rf"^ *{name}: .*posterior mean .*england_abc_v2, ABC-SMC generation 1\)$", text, re.M), key
    for group, file in files.items():
        before = (ROOT / "conf" / file).read_text().splitlines()
        after = (tmp_path / "conf" / file).read_text().splitlines()
        calibrated = {key.split(".")[1] for key in means.index if key.startswith(group + ".")}
        assert [b for b in before if b.split(":")[0].strip() not in calibrated] == \
            [a for a in after if a.split(":")[0].strip() not in calibrated]
    # the same database under other settings is refused before any simulation
    run = subprocess.run([sys.executable, "-m", "sim.calibrate", SMALL, f"db={tmp_path}/one/abc.db",
                          f"out={tmp_path}/one", "particles=7"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "made with other settings" in run.stderr


def toy_model(parameter):
    return {"y": parameter["theta"] + 0.1 * np.random.standard_normal()}


def toy_posterior(map_, tmp_path, name):
    abc = pyabc.ABCSMC(toy_model, pyabc.Distribution(theta=pyabc.RV("uniform", -2, 4)),
                       lambda x, y: abs(x["y"] - y["y"]), population_size=20,
                       transitions=ExactNormalTransition(), sampler=SeededMappingSampler(map_, seed=7))
    abc.new(f"sqlite:///{tmp_path / name}.db", {"y": 0.5})
    history = abc.run(max_nr_populations=3)
    frame, w = history.get_distribution(m=0, t=history.max_t)
    return frame["theta"].to_numpy(), np.asarray(w)


def test_the_population_does_not_depend_on_the_order_the_workers_finish(tmp_path):
    """A map that evaluates the tasks last to first (workers finishing in another order) gives the same
    particles and weights."""
    def backwards(function, items):
        items = list(items)
        return [function(x) for x in reversed(items)][::-1]

    forwards = toy_posterior(lambda f, xs: list(map(f, xs)), tmp_path, "forwards")
    other = toy_posterior(backwards, tmp_path, "backwards")
    assert np.array_equal(forwards[0], other[0]) and np.array_equal(forwards[1], other[1])
    assert abs(float(np.sum(forwards[0] * forwards[1])) - 0.5) < 0.3  # the toy posterior sits near y = 0.5


def test_the_exact_kernel_is_pyabcs_multivariate_normal():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.normal(size=(40, 3)) * [1.0, 0.1, 5.0], columns=["a", "b", "c"])
    w = rng.random(40)
    w /= w.sum()
    exact, theirs = ExactNormalTransition(), MultivariateNormalTransition()
    exact.fit(x, w)
    theirs.fit(x, w)
    points = pd.DataFrame(rng.normal(size=(5, 3)) * [1.0, 0.1, 5.0], columns=["a", "b", "c"])
    assert np.allclose(exact.pdf(points), theirs.pdf(points), rtol=1e-10)
    np.random.seed(1)
    draws = pd.DataFrame([exact.rvs_single() for _ in range(4000)])
    spread = x.std().to_numpy()
    assert np.all(np.abs(draws.mean().to_numpy() - (x * w[:, None]).sum().to_numpy()) < 0.1 * spread)


def test_the_distance_standardises_each_target_by_its_sd():
    distance = StandardisedDistance({"a": {"sd": 0.1}, "b": {"sd": 2.0}})
    assert distance({"a": 0.3, "b": 4.0}, {"a": 0.0, "b": 0.0}) == pytest.approx(math.hypot(3.0, 2.0))
    assert distance({"a": 0.0, "b": 0.0}, {"a": 0.0, "b": 0.0}) == 0.0
    assert distance({"a": math.nan, "b": 0.0}, {"a": 0.0, "b": 0.0}) == math.inf  # no statistic, no acceptance


def test_a_posterior_draw_picks_particles_by_weight():
    frame = pd.DataFrame({"k": [10.0, 20.0, 30.0], "weight": [0.2, 0.5, 0.3]})
    assert [pick(frame, q)["k"] for q in (0.1, 0.2, 0.69, 0.7, 0.99)] == [10.0, 20.0, 20.0, 30.0, 30.0]
    assert weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([0.3, 0.2, 0.5]), 0.5) == 2.0
    assert weighted_quantile(np.array([3.0, 1.0, 2.0]), np.array([0.3, 0.2, 0.5]), 0.1) == 1.0


def test_the_slurm_job_runs_one_worker_per_core_with_this_numba_cache(monkeypatch):
    from dask_jobqueue.slurm import SLURMJob

    monkeypatch.setenv("NUMBA_CACHE_DIR", "/shared/cache")
    settings = load_settings([SMALL, "cluster=slurm", "slurm.cores=4", "slurm.queue=short"])
    script = SLURMJob(scheduler="tcp://127.0.0.1:8786", name="calibrate", **slurm_options(settings)).job_script()
    assert "#SBATCH -p short" in script and "export NUMBA_CACHE_DIR=/shared/cache" in script
    assert "--nworkers 4" in script and "--nthreads 1" in script


@pytest.mark.parametrize("override, message", [
    ("+priors.care.no_such_key={distribution:uniform,low:0,high:1,source:x}", "not a config key"),
    ("priors.care.hope_log_hr.low=-5", "reaches outside the key's range"),
    ("priors.care.hope_log_hr.distribution=cauchy", "priors.care.hope_log_hr: Input tag 'cauchy'"),
    ("priors.care.hope_log_hr.source=null", "priors.care.hope_log_hr.source = None: Input should be a valid string"),
    ("priors.care.hope_log_hr.low=nan", "priors.care.hope_log_hr.low = nan: Input should be a finite number"),
    ("priors.care.hope_log_hr.low=9", "priors.care.hope_log_hr: low 9 must be below high"),
    ("+priors.care.hope_log_hr.shape=2", "priors.care.hope_log_hr.shape: unknown key"),
    ("+partcles=3", "partcles: unknown key; did you mean particles?"),
    ("+priors.care.admission_history_days={distribution:uniform,low:1,high:9,source:x}", "not a real-valued"),
    ("fit=base_rates", None),  # a valid fit: no error
    ("base_rate_keys=[care.no_such_key]", "base_rate_keys: care.no_such_key has no prior"),
    ("fit=base_rates shared_posterior=no/such.csv", "no/such.csv: no such file"),
    ("setting_name=atlantis", "setting_name"),
    ("particles=0", "particles = 0"),
    ("cluster=cloud", "cluster = 'cloud'"),
    ("population=3", "calibrate:"),
])
def test_bad_settings_are_refused_naming_the_key(override, message):
    if message is None:
        assert load_settings([SMALL, *override.split()])["targets"]
        return
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings([SMALL, *override.split()])


@pytest.mark.parametrize("target, message", [
    ("setting.targets.control_rate.sd=0", "targets.control_rate.sd = 0: Input should be greater than 0"),
    ("setting.targets.control_rate.value=inf", "targets.control_rate.value = inf: Input should be a finite number"),
    ("+setting.targets.no_such_statistic={value:1,sd:1,source:x}",
     "targets.no_such_statistic = 'no_such_statistic': Input should be 'service_readmission_30'"),
])
def test_bad_targets_of_a_setting_are_refused_naming_its_file(target, message):
    """The targets are the setting's (conf/setting/<name>.yaml): checked as strictly as the settings."""
    model = "model_overrides=[" + ",".join(f'"{o}"' for o in (*MODEL, target)) + "]"
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_settings([model])
    assert "conf/setting/england.yaml" in str(err.value)


def test_a_base_rate_posterior_takes_the_rest_from_the_shared_one_by_weight():
    from sim.calibration.posterior import joined
    base = pd.DataFrame({"care.a": [1.0, 2.0, 3.0], "weight": [0.2, 0.3, 0.5]})
    shared = pd.DataFrame({"care.a": [9.0, 9.0], "contact.b": [10.0, 20.0], "weight": [0.0, 1.0]})
    both = joined(base, shared, seed=1)
    assert list(both.columns) == ["care.a", "contact.b", "weight"]
    assert list(both["care.a"]) == [1.0, 2.0, 3.0] and list(both["weight"]) == [0.2, 0.3, 0.5]
    assert set(both["contact.b"]) == {20.0}  # a particle of weight 0 is never picked
    assert joined(base, shared, seed=1).equals(both)


def test_apply_finds_a_key_inside_its_block_of_a_setting_file():
    from sim.cli.calibrate import _line_in_block
    text = "setting:\n  x: 0\ncare:\n  # a comment\n\n  x: 1  # source\n  nested:\n    y: 3\ncosts:\n  x: 5"
    assert _line_in_block(text, "care", "x").group(0) == "  x: 1  # source"
    assert _line_in_block(text, "costs", "x").group(0) == "  x: 5"  # the last line, with no newline
    assert _line_in_block(text, "care", "y") is None  # a nested key is not the block's own
    assert _line_in_block(text, "population", "x") is None


def test_apply_of_a_setting_writes_only_into_its_own_file(tmp_path):
    """Refitting a setting's base rates must not overwrite the shared mechanism's values in the group files."""
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    settings = load_settings(["setting_name=ontario", "fit=base_rates", "+priors.contact.hope_gain="
                              "{distribution:uniform,low:0,high:0.9,source:x}",
                              "base_rate_keys=[care.severity_log_hr,contact.hope_gain]"])
    with pytest.raises(ConfigError, match="writes only into its own file"):
        apply({**settings, "out": str(ROOT / "results" / "calibration" / "england")}, tmp_path / "conf")
    assert (tmp_path / "conf" / "contact" / "default.yaml").read_text() == \
        (ROOT / "conf" / "contact" / "default.yaml").read_text()
