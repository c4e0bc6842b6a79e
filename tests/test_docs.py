"""The README's parameter table is generated from the schema and conf/, and kept in sync."""

from pathlib import Path

from sim.config import Config
from sim.docs import parameter_table, render_readme

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_parameter_table_is_up_to_date():
    text = README.read_text()
    assert render_readme(text) == text, "run: python -m sim.docs"


def test_every_schema_key_is_in_the_table():
    table = parameter_table()
    for group in ("population", "network", "care", "program", "costs"):
        for name in Config.__dataclass_fields__[group].type.__dataclass_fields__:
            assert f"`{group}.{name}`" in table


def test_every_default_value_states_its_source_or_meaning():
    """Each default in conf/ carries a comment: a citation, `assumption`, or what the value means."""
    missing = [line.split("|")[1].strip() for line in parameter_table().splitlines()[2:]
               if line.split("|")[6].strip() == "-"]
    assert missing == []
