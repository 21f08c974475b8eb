"""What a fault test saw, printed as one line of figures whether it passes or fails."""

from collections import Counter
from typing import Any


def job_figures(jobs: list[dict[str, Any]], **extra: object) -> str:
    """Jobs posted / succeeded / failed / stuck, runs (claims) per job, and `extra` figures."""
    statuses = Counter(str(job["status"]) for job in jobs)
    runs = Counter(int(job["attempts"]) for job in jobs)
    figures = {
        "posted": len(jobs),
        "succeeded": statuses["succeeded"],
        "failed": statuses["failed"],
        "stuck": statuses["queued"] + statuses["running"],
        "runs per job": dict(sorted(runs.items())),
    } | extra
    errors = sorted({str(job["error"]) for job in jobs if job.get("error")})
    line = ", ".join(f"{name}: {value}" for name, value in figures.items())
    return line + (f"; errors: {errors}" if errors else "")


def report(name: str, line: str) -> str:
    """Print the figures (pytest shows them with -s, and under a failure) and return them."""
    print(f"[{name}] {line}")  # the figures are the point of a fault test
    return line
