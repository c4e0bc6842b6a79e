"""The typed config schema and its checks (units, ranges, sources live in sim/conf), and PSA draws."""
