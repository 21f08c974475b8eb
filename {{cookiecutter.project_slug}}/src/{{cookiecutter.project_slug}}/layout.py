{%- set tiers = cookiecutter.__tiers.split(',') -%}
{%- set split = cookiecutter.__cpu_queue == 'yes' -%}
{%- set queues = tiers + (['cpu'] if split else []) -%}
{%- set default_tier = 'default' if 'default' in tiers else tiers[(tiers | length) // 2] -%}
"""The shape this service was rendered with: its queues and how workers run them.

This is the one Python module the template fills in. To add or rename a tier, change `Queue`
and `TIERS` here, the worker services in compose.yaml and the table in README.md together.
"""

from typing import Final, Literal, get_args

#: Every queue a job can be sent to: the I/O tiers, most urgent first{{ ', then the CPU queue' if split }}.
Queue = Literal[{{ queues | map('tojson') | join(', ') }}]
QUEUES: Final[tuple[Queue, ...]] = get_args(Queue)

#: The I/O tiers: their jobs wait on the network and the database.
TIERS: Final[tuple[Queue, ...]] = ({{ tiers | map('tojson') | join(', ') }}{{ ',' if tiers | length == 1 }})

#: Where a job goes when its request names no tier, and where periodic tasks run.
DEFAULT_TIER: Final[Queue] = {{ default_tier | tojson }}

#: The queue for CPU-bound work, served by prefork processes (None: no separate CPU queue).
CPU_QUEUE: Final[Queue | None] = {{ '"cpu"' if split else 'None' }}

#: The Celery pool that serves the I/O tiers: their workers' `--pool`. "custom" is the asyncio
#: pool (worker/asyncio_pool.py), which Celery finds through CELERY_CUSTOM_WORKER_POOL.
IO_POOL: Final[str] = "{{ cookiecutter.__io_pool }}"

#: Defaults for settings that the environment can override.
DEFAULT_WORKER_DB_MODE: Final = "{{ cookiecutter.worker_db_mode }}"
DEFAULT_API_POOL_SIZE: Final = {{ cookiecutter.api_pool_size | int }}
DEFAULT_API_POOL_OVERFLOW: Final = {{ cookiecutter.api_pool_overflow | int }}
