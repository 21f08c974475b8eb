"""The rendered integration suite passes against real services on a representative set.

PostgreSQL and Redis are the machine's own; MongoDB is MONGO_URL or a wire server (nx-27017)
this run starts. Each combination gets its own Redis database and database name.
"""

from __future__ import annotations

import re
import uuid

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


#: Prints the keys of the Redis database at argv[1] that start with argv[2], one per line.
LIST_KEYS = (
    "import sys, redis; "
    "print(*redis.Redis.from_url(sys.argv[1]).scan_iter(match=sys.argv[2] + '*'), sep='\\n')"
)


def test_integration_suite_passes(
    rendering: Rendering, combination_id: str, services: dict[str, str]
) -> None:
    # A prefix set from outside, as on a shared Redis: the suite nests its own under it, and
    # must leave no key under it. (The compose processes of test_processes.py, which share
    # this Redis database, use no prefix; their keys are theirs.)
    prefix = f"suite-{uuid.uuid4().hex[:8]}:"
    output = rendering.python(
        "-m", "pytest", "-q", "-m", "integration", "-p", "no:cacheprovider",
        # The fault tests restart servers of their own (tens of seconds each); with five
        # renderings at once on two cores a suite can take several minutes.
        timeout=900, BROKER_KEY_PREFIX=prefix, **services,
    )  # fmt: skip
    assert re.search(r"\d+ passed", output), output
    assert not re.search(r"\d+ (failed|error|skipped)", output), output
    assert rendering.python("-c", LIST_KEYS, services["REDIS_URL"], prefix).split() == []
