"""Test-wide set-up: the suite never reads a developer's `.env`, only the environment."""

import os

# Set before the package is imported: the Celery app reads its broker URL at import time.
# Each can be overridden from the environment (CI points them at its service containers).
os.environ.setdefault("ENVIRONMENT", "development")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("TASK_TIME_LIMIT", "60")
os.environ.setdefault("API_KEYS", "test-key")
