"""Extensions: rules a modeller adds without editing the day loop.

An extension is a module with two functions,

    def parameters(params: dict) -> object           # check and type the config block; raise ConfigError
    def end_of_day(model, params, day) -> float     # change the state arrays after a day; return its cost

and a config file `conf/extension/<name>.yaml` naming the module and its
parameters. The model calls `end_of_day` after every day in both engines (the
Numba engine then runs one day per kernel call), on the shared state arrays,
so the rule is written once and both engines run it identically. Hope and
engagement are changed with `model.set_resources`; a write to any other patient
column must be followed by `model.changed(who)`, as the Numba engine keeps each
patient's relapse bound and the busy patients from one day to the next.
`text_reminders` is the worked example.
"""

import importlib

from sim.errors import ConfigError


def load(extension_cfg):
    """(module, typed parameters) of the configured extension, or None."""
    if extension_cfg is None or extension_cfg.module is None:
        return None
    try:
        module = importlib.import_module(extension_cfg.module)
    except ImportError as err:
        raise ConfigError(f"extension.module = {extension_cfg.module}: cannot import it ({err})") from None
    for name in ("parameters", "end_of_day"):
        if not callable(getattr(module, name, None)):
            raise ConfigError(f"extension.module = {extension_cfg.module}: has no function {name}()")
    return module, module.parameters(dict(extension_cfg.params))
