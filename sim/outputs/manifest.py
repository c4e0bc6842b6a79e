"""manifest.json: what is needed to re-run and check a result (config, seed, environment)."""

import hashlib
import json

from omegaconf import OmegaConf

from sim.config.posterior import resolve
from sim.outputs.atomic import json_safe
from sim.outputs.provenance import environment


def manifest_environment(wall_seconds, threads=None):
    """Where and how a result was made: commit and whether it was clean, Python, package versions, Numba
    threads (of a single run; a sweep's jobs record their own), wall time."""
    return {
        **environment(),
        **({} if threads is None else {"numba_threads": threads}),
        "wall_seconds": wall_seconds,
    }


def config_record(cfg):
    """The resolved config as manifest.json stores it (JSON values)."""
    return json.loads(json.dumps(json_safe(OmegaConf.to_container(OmegaConf.structured(cfg)))))


def posterior_file_record(path):
    """A posterior sample, by content: {"posterior": {path, sha256}}."""
    return {"posterior": {"path": path, "sha256": hashlib.sha256(resolve(path).read_bytes()).hexdigest()}}


def posterior_record(cfg):
    """The posterior sample a run drew from (empty without one)."""
    return posterior_file_record(cfg.psa.posterior) if cfg.psa.posterior else {}


def manifest(cfg, engine_seconds, overrides=None):
    """What is needed to re-run and check this result."""
    return {
        "config": config_record(cfg),
        "seed": int(cfg.seed),
        **posterior_record(cfg),
        **manifest_environment(engine_seconds, cfg.threads),
        "overrides": overrides,
    }
