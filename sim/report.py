"""`python -m sim.report`: gather a sweep's job folders into one table and its figures (`sim.outputs.sweep`)."""

from sim.outputs.sweep import main

if __name__ == "__main__":
    main()
