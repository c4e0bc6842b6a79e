"""What a finished run means: outcomes, survival, costs and QALYs, paired statistics, verdicts."""
