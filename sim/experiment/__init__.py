"""Arms x replications (x PSA draws), and emulated trials: runs that return tables."""
