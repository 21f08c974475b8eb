"""The API with fakes for its services (defined in test_api.py), for every unit test module."""

from tests.unit.test_api import app, client

__all__ = ["app", "client"]
