"""A Jinja extension that keeps cookiecutter from printing a traceback after a hook's message.

When a hook exits non-zero, cookiecutter logs "Stopping generation because ... didn't exit
successfully" with the FailedHookException's traceback, under the hook's own one-line
messages (`queue_tiers: ...`, `pre_gen_project: 2 problem(s) ...`). The traceback says
nothing the hook did not, and buries it. Cookiecutter loads the extensions listed in
cookiecutter.json's `_extensions` from the template's root before it runs any hook, so this
is the one place in its process where a template can act: a filter on its hooks logger drops
that one record. Other errors keep their tracebacks.
"""

from __future__ import annotations

import logging

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension

HOOKS_LOGGER = "cookiecutter.hooks"


class DropHookFailureTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, FailedHookException)


class QuietHookFailures(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        logger = logging.getLogger(HOOKS_LOGGER)
        # Environments are created several times per run; one filter is enough.
        if not any(isinstance(f, DropHookFailureTraceback) for f in logger.filters):
            logger.addFilter(DropHookFailureTraceback())
