"""Check every job a command line would run, before any of them starts.

Hydra composes and type-checks a config only when a job starts, reports
problems over several lines with exit status 1, and in a sweep it would run
the good jobs before reaching a bad one. Composing every job here first turns
any bad input into one line naming the key (and the config file it came
from) and exit status 2, with nothing run and nothing written.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import yaml
from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_automatic_config_search_path, get_args_parser
from hydra.core.config_search_path import SearchPathQuery
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException, MissingConfigException
from omegaconf import open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.config.psa import calibrated_keys
from sim.config.schema import moved_key_hint, register, validate
from sim.errors import ConfigError
from sim.paths import CONF


def _one_line(text):
    return " ".join(str(text).split())


def _describe(exc):
    """One line from a Hydra or OmegaConf error: the full key and what was wrong."""
    inner = exc.__cause__ if isinstance(exc.__cause__, OmegaConfBaseException) else exc
    if isinstance(inner, OmegaConfBaseException):
        message = (getattr(inner, "msg", None) or str(inner)).splitlines()[0]
        key = getattr(inner, "full_key", None)
        return f"{key}: {message}{moved_key_hint(key)}" if key else message
    if isinstance(exc, MissingConfigException) and exc.options:
        return f"{str(exc).splitlines()[0]}; available: {', '.join(exc.options)}"
    # a config file setting a key the schema lacks: Hydra keeps OmegaConf's error as the context only
    context = exc.__context__
    return _one_line(exc) + moved_key_hint(getattr(context, "full_key", None))


def _jobs(args):
    """The override list of every job the command line asks for (one, or a sweep's product)."""
    parsed = OverridesParser.create().parse_overrides(args.overrides)
    kept = ("hydra.searchpath", "hydra.run.dir", "hydra.sweep.dir")  # where configs are found, results written
    user = [o for o in parsed if not o.key_or_group.startswith("hydra") or o.key_or_group in kept]
    if args.multirun:
        return BasicSweeper.split_arguments(user, None)[0]
    return [[o.input_line for o in user]]


def _where_from(message, overrides, choices, searchpath=()):
    """Name the config file a bad value came from (the setting's, if it sets the key, else its group's),
    unless the command line set it."""
    key = message.split(" ", 1)[0].rstrip(":")
    group = key.split(".", 1)[0]
    set_here = [o.lstrip("+~").split("=", 1)[0] for o in overrides]
    if any(k == key or k.startswith(key + ".") or (key.startswith(k + ".") and k not in (group, "setting"))
           for k in set_here):
        return message  # a key override sets the value itself
    # a group choice (setting=my_service) picks the file the value came from
    if "setting" in choices and _setting_sets(key, choices["setting"], searchpath):
        return f"{message} (set in setting/{choices['setting']}.yaml)"
    if group in choices:
        return f"{message} (set in {group}/{choices[group]}.yaml)"
    return message


def _setting_sets(key, setting, searchpath):
    """Whether the setting's file (in conf/ or a searchpath folder) sets this dotted key."""
    for folder in [*(p.removeprefix("file://") for p in searchpath if p.startswith("file://")), str(CONF)]:
        path = Path(folder) / "setting" / f"{setting}.yaml"
        if path.is_file():
            node = yaml.safe_load(path.read_text()) or {}
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    return False
                node = node[part]
            return True
    return False


def load_config(overrides):
    """The validated config (dataclasses) that `python -m sim <overrides>` would run; ConfigError naming the
    key if the overrides do not compose."""
    register()
    try:
        with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
            return validate(compose("config", overrides=list(overrides)))
    except ConfigError:
        raise
    except Exception as err:  # noqa: BLE001 (OmegaConf raises TypeError, for one, for ~a_list.0)
        raise ConfigError(_describe(err)) from err


@contextmanager
def _hydra_as_launched(args):
    """Hydra's config search path as `python -m sim` builds it: the packaged tree, or `--config-path`
    instead (absolute, or relative to the package), with `--config-dir` in front of the schema."""
    search_path = create_automatic_config_search_path(str(CONF.parent / "__main__.py"), None,
                                                      args.config_path or CONF.name)
    if args.config_dir is not None:
        folder = os.path.abspath(args.config_dir)
        if not os.path.isdir(folder):
            raise ConfigError(f"--config-dir {args.config_dir}: no such folder")
        search_path.prepend("command-line", f"file://{folder}", anchor=SearchPathQuery(provider="schema"))
    saved = GlobalHydra.instance().hydra if GlobalHydra.instance().is_initialized() else None
    GlobalHydra.instance().clear()
    try:
        Hydra.create_main_hydra2(task_name="sim", config_search_path=search_path)
        yield
    finally:
        GlobalHydra.instance().clear()
        if saved is not None:
            GlobalHydra.instance().initialize(saved)


def _refuse_flag(message):
    raise ConfigError(f"{message} (python -m sim --help)")


def check_command_line(argv):
    """Raise ConfigError for the first bad job; do nothing for Hydra's informational flags. Returns the output
    folder of every job (Hydra's run or sweep folder), to be checked for writing before any work."""
    parser = get_args_parser()
    parser.error = _refuse_flag  # one line, not argparse's usage
    args = parser.parse_args(argv)
    if args.help or args.hydra_help or args.cfg or args.info or args.shell_completion:
        return []
    config_name = args.config_name or "config"
    register()
    try:
        jobs = _jobs(args)
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(_describe(err)) from err
    folders = []
    for number, overrides in enumerate(jobs):
        label = f"sweep job {number} ({' '.join(overrides)}): " if args.multirun and len(jobs) > 1 else ""
        try:
            with _hydra_as_launched(args):
                cfg = compose(config_name, overrides=overrides, return_hydra_config=True)
            choices = dict(cfg.hydra.runtime.choices)
            searchpath = list(cfg.hydra.searchpath)
            folders.append(cfg.hydra.sweep.dir if args.multirun else cfg.hydra.run.dir)
            with open_dict(cfg):
                del cfg["hydra"]
        except (HydraException, OmegaConfBaseException) as err:
            raise ConfigError(label + _describe(err)) from err
        except Exception as err:  # noqa: BLE001 (OmegaConf raises TypeError, for one, for ~a_list.0)
            raise ConfigError(f"{label}{' '.join(overrides)}: cannot apply these overrides ({err})") from err
        try:
            checked = validate(cfg)
        except ConfigError as err:
            raise ConfigError(label + _where_from(str(err), overrides, choices, searchpath)) from err
        except Exception as err:  # noqa: BLE001 (a missing or unresolvable value, found as it is read)
            raise ConfigError(label + _describe(err)) from err
        choice = choices.get("setting")
        if choice and checked.setting.name != choice:
            raise ConfigError(f"{label}setting.name = {checked.setting.name!r}: must be the setting file's name, "
                              f"{choice!r} (setting/{choice}.yaml; its posterior is conf/setting/{choice}/)")
        _refuse_overridden_calibrated_keys(checked, overrides, label)
    return folders


def _refuse_overridden_calibrated_keys(cfg, overrides, label=""):
    """A value given on the command line for a key the posterior draws would be replaced in every draw: say
    so before any work, and how to run that value."""
    drawn = set(calibrated_keys(cfg))
    for override in overrides:
        key = override.split("=", 1)[0].lstrip("+~")
        if key in drawn:
            raise ConfigError(f"{label}{override}: {key} is calibrated, and psa.posterior "
                              f"({cfg.psa.posterior}) draws it jointly with the other calibrated keys in every "
                              "draw, so this value would not be used; to run it, add psa.posterior=null (the "
                              "other uncertain parameters are still drawn) or psa=none")
