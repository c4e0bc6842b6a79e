"""`python -m sim.app`: the live view in a browser (Python >= 3.12, the viz extra) (`sim.viz.app`)."""

from sim.viz.app import main

if __name__ == "__main__":
    main()
