"""The rendered integration suite passes against real services on a representative set.

PostgreSQL and Redis are the machine's own; MongoDB is MONGO_URL or a wire server (nx-27017)
this run starts. Each combination gets its own Redis database and database name.
"""

from __future__ import annotations

import re

import pytest
from combinations import SUPPORTED
from project_fixtures import Rendering

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize(
        "combination_id",
        [
            pytest.param(c.id, marks=pytest.mark.xdist_group(c.id))
            for c in SUPPORTED
            if c.integration
        ],
    ),
]


def test_integration_suite_passes(
    rendering: Rendering, combination_id: str, services: dict[str, str]
) -> None:
    output = rendering.python(
        "-m", "pytest", "-q", "-m", "integration", "-p", "no:cacheprovider",
        # The fault tests restart servers of their own (tens of seconds each); with five
        # renderings at once on two cores a suite can take several minutes.
        timeout=900, **services,
    )  # fmt: skip
    assert re.search(r"\d+ passed", output), output
    assert not re.search(r"\d+ (failed|error|skipped)", output), output
