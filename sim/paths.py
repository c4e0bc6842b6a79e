"""Where things are: the config tree shipped in the package, and the checkout around it (if any)."""

from pathlib import Path

# The Hydra config tree ships inside the package, so an installed copy runs from any folder.
CONF = Path(__file__).resolve().parent / "conf"
# In a checkout: the folder holding sim/, experiments/ and results/.
CHECKOUT = CONF.parent.parent
