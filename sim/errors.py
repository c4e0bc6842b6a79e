"""Errors a user can fix: each message names the config key or file and what is allowed."""


class ConfigError(ValueError):
    """A configuration value or input file that is out of range, inconsistent, unknown or unreadable."""
