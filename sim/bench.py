"""`python -m sim.bench`: the benchmark: patient-days per second, set-up time and memory (`sim.tools.bench`)."""

from sim.tools.bench import main

if __name__ == "__main__":
    main()
