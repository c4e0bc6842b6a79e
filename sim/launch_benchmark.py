"""`python -m sim.launch_benchmark`: time a sweep through each Hydra launcher (`sim.tools.launch_benchmark`)."""

from sim.tools.launch_benchmark import main

if __name__ == "__main__":
    main()
