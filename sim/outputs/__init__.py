"""Results on disk and on screen: summaries, figures, atomic files with a manifest, sweep tables."""
