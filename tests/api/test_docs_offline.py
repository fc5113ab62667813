"""The OpenAPI page works offline: Swagger UI comes from the npm package, not a CDN."""

import pytest
from fastapi.testclient import TestClient

from truce.api import create_app
from truce.dashboard.router import swagger_dir
from truce.store import open_workspace


@pytest.mark.skipif(swagger_dir() is None, reason="swagger-ui-dist is not installed (run `npm ci`)")
def test_the_docs_page_loads_swagger_ui_from_this_server(demo_copy):
    client = TestClient(create_app(open_workspace(str(demo_copy))))
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/dashboard/vendor/swagger/swagger-ui-bundle.js" in page.text and "cdn." not in page.text
    assert client.get("/dashboard/vendor/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/dashboard/vendor/swagger/../../package.json").status_code == 404
