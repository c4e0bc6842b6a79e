"""Developer tools: the benchmark, the launcher benchmark, and the generator of documentation tables."""
