"""Celery workers: the app and its configuration, the per-process runtime, the tasks."""
