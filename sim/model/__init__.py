"""The model's state and math: state columns, event counters, random streams, rules, population, network.

Nothing here knows how patients are visited (engines), how runs are organised (experiment) or written (outputs)."""
