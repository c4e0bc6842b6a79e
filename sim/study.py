"""`python -m sim.study`: run a named study into results/<name>/ (`sim.cli.study`)."""

from sim.cli.study import main

if __name__ == "__main__":
    main()
