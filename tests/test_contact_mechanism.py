"""A peer contact's effect is one mechanism shared by every programme (conf/contact/): a programme sets only
its design, and the flattened per-contact gains follow from the design alone."""

import dataclasses
from dataclasses import fields

import pytest
import yaml

from sim.__main__ import cli
from sim.config.schema import ContactConfig
from sim.model.parameters import rules_from_config
from sim.paths import CONF
from tests.conftest import make_cfg

PROGRAMME_FILES = sorted((CONF / "program").glob("*.yaml"))
CONTACT_KEYS = {f.name for f in fields(ContactConfig)}


@pytest.mark.parametrize("path", PROGRAMME_FILES, ids=[p.stem for p in PROGRAMME_FILES])
def test_no_programme_file_sets_a_per_contact_effect(path):
    own = yaml.safe_load(path.read_text())
    assert not CONTACT_KEYS & set(own), f"{path.name} sets {CONTACT_KEYS & set(own)}: set them in conf/contact/"


@pytest.mark.parametrize("key", ["hope_gain", "engagement_gain", "match_bonus"])
def test_a_programme_key_for_a_contacts_effect_is_rejected_naming_where_it_moved(key, tmp_path, capsys):
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as stop:
        cli([f"program.{key}=0.1", f"hydra.run.dir={out}"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and not out.exists()
    assert err.startswith(f"config error: program.{key}: ")
    assert f"a peer contact's effect is shared by every programme: set contact.{key}" in err


def test_a_programme_file_of_ones_own_that_sets_a_gain_is_rejected_naming_where_it_moved(tmp_path, capsys):
    (tmp_path / "program").mkdir()
    text = (CONF / "program" / "discharge_support.yaml").read_text().replace("name: discharge_support", "name: mine")
    (tmp_path / "program" / "mine.yaml").write_text(text + "hope_gain: 0.1  # an old programme file's own gain\n")
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as stop:
        cli(["--config-dir", str(tmp_path), "program=mine", f"hydra.run.dir={out}"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and not out.exists()
    assert "program.hope_gain" in err and "set contact.hope_gain" in err


def _contact(rules):
    return rules.daily.contact_hope_gain, rules.daily.contact_engagement_gain, rules.match_bonus


@pytest.mark.parametrize("programme", [p.stem for p in PROGRAMME_FILES if p.stem != "_base_"])
def test_a_programmes_name_does_not_change_its_rules(programme):
    cfg = make_cfg(f"program={programme}")
    renamed = dataclasses.replace(cfg.program, name="another_name")
    assert rules_from_config(cfg, renamed) == rules_from_config(cfg, cfg.program)


def test_programmes_of_the_same_contact_design_get_identical_contact_gains():
    """Three programmes that differ in who, when, how often and how long, but not in fidelity, matching or the
    workbook, flatten to the same per-contact gains and match bonus."""
    alike = ["discharge_support", "peer_mentoring", "intentional_peer_support"]
    gains = {p: _contact(rules_from_config(cfg := make_cfg(f"program={p}"), cfg.program)) for p in alike}
    assert len(set(gains.values())) == 1
    cfg = make_cfg()
    assert gains["discharge_support"] == (cfg.contact.hope_gain * cfg.program.fidelity,
                                          cfg.contact.engagement_gain * cfg.program.fidelity, cfg.contact.match_bonus)


def test_the_shared_values_move_every_programme_alike():
    for p in ("discharge_support", "mutual_help", "self_management"):
        low = rules_from_config(cfg := make_cfg(f"program={p}", "contact.hope_gain=0.1"), cfg.program)
        high = rules_from_config(cfg := make_cfg(f"program={p}", "contact.hope_gain=0.3"), cfg.program)
        assert high.daily.contact_hope_gain == pytest.approx(3 * low.daily.contact_hope_gain), p


@pytest.mark.parametrize("workbook", [False, True])
def test_the_self_management_workbook_multiplies_the_gains(workbook):
    cfg = make_cfg("program=discharge_support", f"program.self_management_workbook={workbook}",
                   "contact.self_management_multiplier=2.5", "contact.hope_gain=0.2", "contact.engagement_gain=0.1")
    hope, engagement, _ = _contact(rules_from_config(cfg, cfg.program))
    factor = 2.5 if workbook else 1.0
    assert hope == pytest.approx(0.2 * 0.8 * factor) and engagement == pytest.approx(0.1 * 0.8 * factor)


def test_self_management_follows_the_workbook_and_the_others_do_not():
    with_workbook = {p.stem for p in PROGRAMME_FILES if p.stem != "_base_"
                     and make_cfg(f"program={p.stem}").program.self_management_workbook}
    assert with_workbook == {"self_management"}
    at_one = make_cfg("program=self_management", "contact.self_management_multiplier=1")
    doubled = make_cfg("program=self_management", "contact.self_management_multiplier=2")
    assert (rules_from_config(doubled, doubled.program).daily.contact_hope_gain
            == pytest.approx(2 * rules_from_config(at_one, at_one.program).daily.contact_hope_gain))


def test_diagnosis_matching_decides_whether_the_match_bonus_applies():
    rules = {matching: rules_from_config(cfg := make_cfg("program=peer_mentoring", "contact.match_bonus=0.35",
                                                         f"program.diagnosis_matching={matching}"), cfg.program)
             for matching in (True, False)}
    assert rules[True].match_bonus == 0.35 and rules[False].match_bonus == 0.0
    assert rules[True].daily == rules[False].daily  # the gains themselves do not depend on matching


def test_mutual_help_groups_mix_diagnoses_so_no_match_bonus():
    cfg = make_cfg("program=mutual_help")
    assert cfg.program.diagnosis_matching is False and cfg.contact.match_bonus > 0
    assert rules_from_config(cfg, cfg.program).match_bonus == 0.0
