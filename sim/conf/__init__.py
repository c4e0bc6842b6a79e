"""The Hydra config tree, shipped with the package (a package itself, so Hydra can find it as pkg://sim.conf)."""
