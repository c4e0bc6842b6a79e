"""The config a manifest recorded, ready to validate and re-run."""

from omegaconf import OmegaConf


def stored_config(manifest):
    """A manifest's resolved config. Manifests written before the `threads` key existed ran on one thread
    (the count never changes a result)."""
    raw = OmegaConf.create(manifest["config"])
    if "threads" not in raw:
        raw.threads = 1
    return raw
