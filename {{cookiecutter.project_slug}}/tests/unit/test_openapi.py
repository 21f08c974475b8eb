"""The OpenAPI document: every error a route can give, and what a request may hold."""

from fastapi import FastAPI


def test_every_jobs_route_documents_its_errors(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/jobs"):
            continue
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "413", "415", "422", "503"} <= documented, (method, path)
            if "{job_id}" in path:
                assert "404" in documented, (method, path)
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Problem"}


def test_the_openapi_document_says_what_a_body_may_hold(app: FastAPI) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    keepable = {option.get("type"): option for option in schemas["KeepableJson"]["anyOf"]}
    assert keepable["integer"]["maximum"] == 2**63 - 1
    assert keepable["string"]["pattern"] == "^[^\\u0000]*$"
    assert keepable["object"]["propertyNames"]["pattern"].startswith("^([^$")
    body = document["paths"]["/jobs"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["discriminator"]["propertyName"] == "kind"
    echo = schemas["EchoPayload"]["properties"]
    assert echo["message"]["pattern"] == "^[^\\u0000]*$"
    assert echo["data"]["$ref"] == "#/components/schemas/KeepableJson"
