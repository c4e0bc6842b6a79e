"""A result's recorded settings read back: its manifest's config, checked like any config, and the rows a
re-run is asked for."""

from pathlib import Path

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.read_back import read_json
from sim.config.schema import validate
from sim.errors import ConfigError


def recorded_manifest(folder, *keys):
    """The folder's manifest.json, with `config` and the other listed keys."""
    return read_json(Path(folder) / "manifest.json", ("config", *keys))


def recorded_config(folder, manifest, point=None):
    """The config the manifest recorded (with a point's values set), validated; ConfigError naming the file."""
    try:
        raw = OmegaConf.create(manifest["config"])
        for key, value in (point or {}).items():
            OmegaConf.update(raw, key, float(value))
        return validate(raw)
    except (OmegaConfBaseException, ValueError, TypeError) as err:
        raise ConfigError(f"{Path(folder) / 'manifest.json'}: its config is not valid "
                          f"({' '.join(str(err).split())})") from None


def selected(folder, flag, asked, available):
    """The asked-for rows (all when None), each one the folder has."""
    if asked is None:
        return list(available)
    repeated = [a for i, a in enumerate(asked) if a in asked[:i]]
    if repeated:
        raise ConfigError(f"{folder}: {flag} lists {repeated[0]} twice")
    outside = [a for a in asked if a not in set(available)]
    if outside:
        raise ConfigError(f"{folder}: {flag} {outside[0]} is not one of its {len(available)} (0-{len(available) - 1})")
    return asked
