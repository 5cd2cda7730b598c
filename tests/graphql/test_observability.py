"""Request ids, JSON logs without secrets, and Prometheus metrics."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from rm_graphql.observability import JsonFormatter, configure_logging
from tests.support.api import Api, new_tenant


def test_request_ids_are_echoed_and_generated(api: Api) -> None:
    given = httpx.get(f"{api.base_url}/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    unsafe = httpx.get(f"{api.base_url}/healthz", headers={"X-Request-ID": "bad id; drop table"})
    assert unsafe.headers["x-request-id"] != "bad id; drop table"
    assert len(unsafe.headers["x-request-id"]) == 32


def test_metrics_count_operations_by_name(api: Api) -> None:
    token = api.token(new_tenant(), "kpi@example.com", "rm:kpi")
    api.query("query DashboardProbe { apiVersion }", token=token)
    text = httpx.get(f"{api.base_url}/metrics").text
    assert 'rm_graphql_requests_total{operation="DashboardProbe",outcome="ok",type="query"}' in text
    assert 'rm_graphql_request_seconds_count{operation="DashboardProbe"}' in text


def test_json_logs_mask_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json_lines=True)
    try:
        logging.getLogger("rm_graphql.test").info(
            "calling HRIS with Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        )
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        logging.getLogger().handlers.clear()
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert "eyJhbGciOiJFUzI1NiJ9" not in line
    assert JsonFormatter().format(logging.makeLogRecord({"msg": "x"})).startswith("{")
