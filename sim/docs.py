"""`python -m sim.docs`: regenerate (or --check) the documentation tables from the code and conf/ (`sim.tools.docs`)."""

from sim.tools.docs import main

if __name__ == "__main__":
    main()
