"""Celery's own fan-in for comparison: a chord's parts and its callback, on the project's app.

The part does the `summarize` kind's work through the same bridge (`run_async`) as a job.
"""

import importlib
import os

PACKAGE = os.environ["BENCH_PACKAGE"]
celery_app = importlib.import_module(f"{PACKAGE}.worker.celery_app")
base = importlib.import_module(f"{PACKAGE}.worker.base")
summarize = importlib.import_module(f"{PACKAGE}.jobs.kinds.summarize")


@celery_app.app.task(name="bench.part", base=base.ProcessingTask, bind=True, ignore_result=False)
def part(self, text):  # type: ignore[no-untyped-def]
    payload = summarize.SummarizePayload(text=text, latency=0)
    return self.run_async(summarize.summarize(payload)).model_dump()


@celery_app.app.task(name="bench.join", ignore_result=False)
def join(results):  # type: ignore[no-untyped-def]
    return {"summaries": [r["summary"] for r in results], "failed": 0}
