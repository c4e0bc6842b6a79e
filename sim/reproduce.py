"""`python -m sim.reproduce`: re-run a result from its manifest and compare, number by number (`sim.cli.reproduce`)."""

from sim.cli.reproduce import main

if __name__ == "__main__":
    main()
