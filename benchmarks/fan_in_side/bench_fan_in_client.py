"""Runs inside a rendering's environment: times one fan-out three ways, against a live worker.

    report      a `report` job with N sections: N `summarize` children, fan-in on the job store
    jobs        N independent `summarize` jobs: the same work with no fan-in at all
    chord       a Celery chord of N `bench.part` tasks (the same work through run_async) and a
                `bench.join` callback, with the Redis result backend: Celery's own fan-in

Prints one JSON line per run: {"scenario", "n", "seconds"}.
"""

import asyncio
import importlib
import json
import os
import sys
import time
import uuid

from celery import chord

PACKAGE = os.environ["BENCH_PACKAGE"]
N_VALUES = [int(n) for n in sys.argv[1].split(",")]
ROUNDS = int(sys.argv[2])

model = importlib.import_module(f"{PACKAGE}.jobs.model")
access = importlib.import_module(f"{PACKAGE}.db")
settings = importlib.import_module(f"{PACKAGE}.settings").get_settings()
celery_app = importlib.import_module(f"{PACKAGE}.worker.celery_app")
parts = importlib.import_module("bench_parts")
kinds = importlib.import_module(f"{PACKAGE}.jobs.kinds").KINDS


async def submit_and_wait(jobs: list, wait_for: list) -> float:
    async with access.open_api_store(settings) as store:
        started = time.perf_counter()
        for job in jobs:
            await store.add(job)
            celery_app.send_job(celery_app.app, job)
        while True:
            done = [await store.get(job_id) for job_id in wait_for]
            if all(job is not None and job.status in model.FINISHED for job in done):
                elapsed = time.perf_counter() - started
                bad = [job for job in done if job.status is not model.JobStatus.SUCCEEDED]
                if bad:
                    raise SystemExit(f"not succeeded: {bad[:3]}")
                return elapsed
            await asyncio.sleep(0.005)


def job(kind: str, payload: dict) -> object:
    return model.Job(
        id=uuid.uuid4(),
        kind=kind,
        queue=kinds[kind].default_tier,
        status=model.JobStatus.QUEUED,
        payload=payload,
    )


def sections(n: int) -> list[str]:
    return [f"section {i} of the report" for i in range(n)]


def run_report(n: int) -> float:
    parent = job("report", {"sections": sections(n), "latency": 0})
    return asyncio.run(submit_and_wait([parent], [parent.id]))


def run_jobs(n: int) -> float:
    jobs = [job("summarize", {"text": text, "latency": 0}) for text in sections(n)]
    return asyncio.run(submit_and_wait(jobs, [j.id for j in jobs]))


def run_chord(n: int) -> float:
    started = time.perf_counter()
    result = chord(parts.part.s(text) for text in sections(n))(parts.join.s())
    result.get(timeout=120)
    return time.perf_counter() - started


SCENARIOS = {"report": run_report, "jobs": run_jobs, "chord": run_chord}

for _ in range(ROUNDS):
    for n in N_VALUES:
        for name, scenario in SCENARIOS.items():
            print(json.dumps({"scenario": name, "n": n, "seconds": scenario(n)}), flush=True)
