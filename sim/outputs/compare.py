"""A re-run's numbers against a committed row, compared as the committed file holds them."""

import io

import pandas as pd


def compare_row(label, fresh, committed, outputs):
    """(numbers compared, differences) between a re-run's `outputs` (a mapping or Series) and a committed row,
    after the same CSV text round trip the committed file went through."""
    fresh = pd.read_csv(io.StringIO(pd.Series(fresh).to_frame().T.to_csv(index=False))).iloc[0]
    found = [f"{label} {output}: committed {committed[output]!r}, re-run {fresh[output]!r}"
             for output in outputs if fresh[output] != committed[output]]
    return len(outputs), found
