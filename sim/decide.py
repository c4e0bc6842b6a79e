"""`python -m sim.decide results/<study>`: a decision study's analysis again from its jobs' tables
(`sim.cli.decision`)."""

import sys

from sim.cli.decision import main

if __name__ == "__main__":
    sys.exit(main())
