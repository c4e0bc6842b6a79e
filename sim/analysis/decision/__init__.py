"""Decision analysis across every option at once: the efficiency frontier, acceptability and expected loss,
and the value of further research (EVPI, EVPPI)."""
