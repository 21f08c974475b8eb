"""The HTTP API: `uvicorn {{ cookiecutter.project_slug }}.api.app:create_app --factory`."""
