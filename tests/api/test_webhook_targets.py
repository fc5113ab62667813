"""Webhook targets (server-side request forgery): what the server refuses to POST to."""

from __future__ import annotations

import pytest

from truce.api.webhook_targets import UnsafeTarget, check_webhook_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost:22/",
        "http://0.0.0.0/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "https://user:secret@93.184.216.34/hook",  # credentials in the URL
        "ftp://93.184.216.34/",
        "http:///nohost",
        "http://93.184.216.34:99999/",
    ],
)
def test_private_loopback_metadata_and_credentialed_targets_are_refused(url):
    with pytest.raises(UnsafeTarget):
        check_webhook_url(url)


def test_public_addresses_and_allowed_hosts_pass():
    check_webhook_url("https://93.184.216.34/hook")
    check_webhook_url("http://127.0.0.1:8000/hook", "127.0.0.1")
    check_webhook_url("http://10.1.2.3/hook", "10.0.0.0/8")
    check_webhook_url("http://localhost:9000/", "localhost:9000")
    with pytest.raises(UnsafeTarget):
        check_webhook_url("http://localhost:22/", "localhost:9000")  # the allowed port only


def test_the_api_refuses_to_register_an_unsafe_webhook(make_api):
    import dataclasses

    from .conftest import FAST

    api = make_api(dataclasses.replace(FAST, webhook_allow=""))
    for url in ("http://127.0.0.1:22/", "http://169.254.169.254/", "https://a:b@93.184.216.34/"):
        refused = api.post("/api/v1/webhooks", "guarantor:US", json={"url": url})
        assert refused.status_code == 422 and refused.json()["detail"].startswith("url: "), url
    assert api.get("/api/v1/webhooks", "guarantor:US").json() == []
