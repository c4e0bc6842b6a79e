"""The live view: Mesa's SolaraViz page with usual care and a peer programme side by side.

Start it with `python -m sim.app` (serves http://127.0.0.1:8765 on loopback only).
It needs the `viz` extra: Mesa >= 3.5 (Python >= 3.12), Solara and its bundled
web assets. The page never reaches beyond loopback: assets come from the
installed `solara-assets`, telemetry and the version check are off.
"""

import os
import sys
from pathlib import Path

from sim.cli.command import Parser, command, whole
from sim.cli.preflight import load_config
from sim.paths import CONF
from sim.viz.live import SideBySide, arm_summary, missing_view_requirement, network_figure, series_figure

CLOSED_PORT = "http://127.0.0.1:9/"  # asset requests Solara cannot serve locally fail here, never leave the machine


def offline_environment():
    """Solara settings that keep the page on loopback: no telemetry, no CDN, no first-run check."""
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "peer-support-sim" / "solara"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".solara_checked").touch()
    return {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_CDN": CLOSED_PORT,
            "SOLARA_HOME": str(home)}


if missing := missing_view_requirement():
    sys.exit(missing)
os.environ.update(offline_environment())

import solara  # noqa: E402  (the settings above must be in place before Solara reads them)
import solara.server.settings  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402

solara.server.settings.telemetry.mixpanel_enable = False  # also when Solara was imported before this module
solara.settings.assets.cdn = CLOSED_PORT

PROGRAMMES = sorted(p.stem for p in (CONF / "program").glob("*.yaml") if p.stem not in ("usual_care", "_base_"))
DEFAULT = load_config([])  # the controls start at the main job's config
CONTROLS = {
    "program": {"type": "Select", "value": DEFAULT.program.name, "values": PROGRAMMES, "label": "programme"},
    "staffing_percent": {"type": "SliderInt", "value": 100, "min": 0, "max": 200, "step": 10,
                         "label": "coverage: staffing, % of programme's"},
    "caseload_percent": {"type": "SliderInt", "value": 100, "min": 20, "max": 200, "step": 10,
                         "label": "caseload limit, % of programme's"},
    "fidelity": {"type": "SliderFloat", "value": DEFAULT.program.fidelity, "min": 0.0, "max": 1.0, "step": 0.05,
                 "label": "fidelity"},
    "clinician_acceptance": {"type": "SliderFloat", "value": DEFAULT.workforce.clinician_acceptance,
                             "min": 0.0, "max": 1.0, "step": 0.05, "label": "clinician acceptance"},
    "replication": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1,
                    "label": "seed: replication of the main job"},
}


def network_view(model):
    return solara.FigureMatplotlib(network_figure(model), format="png")


def series_view(model):
    with solara.Column() as column:
        for arm in model.arms:
            solara.Text(arm_summary(model, arm), classes=["arm-summary"])
        solara.FigureMatplotlib(series_figure(model), format="png")
    return column


@solara.component
def Page():
    """One model per browser session, built once; SolaraViz's Reset builds a new one from the controls."""
    model = solara.use_memo(SideBySide, [])  # its defaults are the controls' starting values
    SolaraViz(model, components=[network_view, series_view], model_params=CONTROLS,
              name="peer-support-sim: usual care vs a peer programme", play_interval=50)


@command()
def main(argv=None):
    parser = Parser(prog="sim.app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=whole(0, 65_535), default=8765,
                        help="loopback port to serve on (0: any free port)")
    args = parser.parse_args(argv)
    from solara.__main__ import cli
    cli(["run", "sim.viz.app", "--host", "127.0.0.1", "--port", str(args.port), "--production", "--no-open",
         "--no-check-version"])
