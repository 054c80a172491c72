"""Every setting of seqsim, declared once: the parameter registry.

Each :class:`Setting` (:mod:`seqsim.settings.registry`) names a config key
(``search.max_evalue``), its type, default, bounds, help text and the
command-line flag it maps to. From that one list come:

- the workflow's config schema (``workflow/schemas/config.schema.yaml``),
- the commented defaults in ``config.yaml``,
- the configuration reference page (``docs/configuration.md``),
- the subcommands' options (:func:`add_setting`), and
- the options a Snakemake rule passes to its subcommand (:func:`cli_options`).

``python -m seqsim.settings`` rewrites the three generated files
(:mod:`seqsim.settings.generated`); ``tests/test_settings.py`` fails when
any of them, or a subcommand's option, disagrees with the registry (MMseqs2's
``Parameters`` is the model). Where a subcommand's default must differ from
the pipeline's, ``cli_default`` holds it and ``cli_default_why`` says why, in
the help.

These modules import nothing heavy, so the workflow and ``seqsim --help``
read them before any job starts.
"""

from seqsim.settings.command_line import add_setting, cli_options, config_value
from seqsim.settings.generated import defaults
from seqsim.settings.registry import SETTINGS, Setting, setting

__all__ = [
    "SETTINGS",
    "Setting",
    "add_setting",
    "cli_options",
    "config_value",
    "defaults",
    "setting",
]
