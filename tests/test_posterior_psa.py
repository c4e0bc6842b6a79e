"""The PSA draws the calibrated parameters jointly from the calibration's posterior sample: each draw is one
particle's values together, particles come up in proportion to their weights, a programme's own calibrated
keys reach only the programme that was calibrated, and a bad posterior stops before any work."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.config.psa import draws
from sim.config.schema import ConfigError
from sim.model.streams import replication_seed
from tests.conftest import make_cfg

PARTICLES = pd.DataFrame({"care.hope_log_hr": [1.0, 2.0, 3.0], "contact.hope_gain": [0.1, 0.2, 0.3],
                          "program.uptake": [0.5, 0.6, 0.7], "weight": [0.1, 0.3, 0.6]})


@pytest.fixture
def posterior(tmp_path):
    path = tmp_path / "posterior.csv"
    PARTICLES.to_csv(path, index_label="particle")
    (tmp_path / "posterior.json").write_text(json.dumps({"program": "self_management"}))
    return path


def run_draws(cfg, n):
    return pd.DataFrame([draws(cfg, replication_seed(cfg.seed, r)) for r in range(n)])


def test_each_draw_is_one_particle_and_particles_come_up_by_weight(posterior):
    cfg = make_cfg("program=self_management", "psa=none", f"psa.posterior={posterior}", "psa.draws=2")
    drawn = run_draws(cfg, 1000)
    rows = {tuple(r) for r in PARTICLES.drop(columns="weight").itertuples(index=False)}
    assert all(tuple(r) in rows for r in drawn[list(PARTICLES.columns[:-1])].itertuples(index=False))
    shares = drawn["care.hope_log_hr"].value_counts(normalize=True).sort_index().to_numpy()
    assert np.allclose(shares, PARTICLES["weight"], atol=4 * np.sqrt(0.25 / 1000))


def test_the_calibrated_programmes_own_keys_reach_only_that_programme(posterior):
    cfg = make_cfg("program=peer_mentoring", "psa=none", f"psa.posterior={posterior}", "psa.draws=2")
    drawn = run_draws(cfg, 20)
    assert "program.uptake" not in drawn and set(drawn["contact.hope_gain"]) <= {0.1, 0.2, 0.3}


def test_the_posterior_and_independent_entries_draw_together(posterior):
    cfg = make_cfg("program=self_management", "psa=default", f"psa.posterior={posterior}",
                   "psa.parameters=[{key:costs.bed_day,distribution:gamma,cv:0.1}]")
    drawn = run_draws(cfg, 50)
    assert set(drawn.columns) == {"care.hope_log_hr", "contact.hope_gain", "program.uptake", "costs.bed_day"}
    assert drawn["costs.bed_day"].nunique() == 50


@pytest.mark.parametrize("change, message", [
    (lambda p: p.unlink(), "no such file"),
    (lambda p: PARTICLES.rename(columns={"care.hope_log_hr": "care.no_such_key"}).to_csv(p, index_label="particle"),
     "column care.no_such_key is not a config key"),
    (lambda p: PARTICLES.assign(**{"contact.hope_gain": 1.5}).to_csv(p, index_label="particle"),
     "column contact.hope_gain needs real values in"),
    (lambda p: PARTICLES.drop(columns="weight").to_csv(p, index_label="particle"), "lacks the column weight"),
    (lambda p: PARTICLES.assign(weight=0.0).to_csv(p, index_label="particle"),
     "the weight column must be non-negative and sum to a positive number \\(sum 0\\)"),
    (lambda p: PARTICLES.assign(weight=np.nan).to_csv(p, index_label="particle"), "weight in row 0 is nan"),
    (lambda p: p.write_text(p.read_text()[:-4]),
     "ends mid-row \\(a truncated file\\? a table ends its last row with a newline\\)"),
    (lambda p: p.write_text(p.read_text()[:-5] + "\n"), "weight in row 2 is nan, not a finite number"),
    (lambda p: p.write_text(""), "posterior.csv: is empty"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00"), "not a text file"),
    (lambda p: p.write_text('particle,weight\n0,1\n1,"2\n'), "not a readable CSV table"),
])
def test_a_bad_posterior_is_refused_naming_the_file(posterior, change, message):
    change(posterior)
    with pytest.raises(ConfigError, match=message):
        make_cfg("program=self_management", "psa=none", f"psa.posterior={posterior}", "psa.draws=2")


def test_a_calibrated_key_cannot_also_be_drawn_independently(posterior):
    with pytest.raises(ConfigError, match="contact.hope_gain is calibrated"):
        make_cfg("program=self_management", "psa=none", f"psa.posterior={posterior}", "psa.draws=2",
                 "psa.parameters=[{key:contact.hope_gain,distribution:beta,cv:0.1}]")


def test_a_draws_particle_is_a_function_of_its_seed_alone(posterior):
    """The same seed picks the same particle, whatever the independent entries beside it."""
    plain = make_cfg("program=self_management", "psa=none", f"psa.posterior={posterior}", "psa.draws=2")
    more = make_cfg("program=self_management", "psa=default", f"psa.posterior={posterior}")
    for seed in (7, 8, 9):
        first, again = draws(plain, seed), draws(more, seed)
        assert all(first[key] == again[key] for key in first)


def test_a_calibrated_key_given_on_the_command_line_is_refused_unless_the_posterior_is_off():
    """The posterior would replace the value in every draw: the command line says so before any work."""
    from sim.cli.preflight import check_command_line

    with pytest.raises(ConfigError, match="contact.hope_gain is calibrated"):
        check_command_line(["contact.hope_gain=0.3"])
    with pytest.raises(ConfigError, match="program.uptake is calibrated"):
        check_command_line(["program=self_management", "program.uptake=0.8"])
    check_command_line(["psa=none", "contact.hope_gain=0.3"])
    check_command_line(["psa.posterior=null", "contact.hope_gain=0.3"])
    check_command_line(["program=peer_mentoring", "program.uptake=0.8"])  # calibrated for self_management only
