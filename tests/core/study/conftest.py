"""Fixtures shared by the study tests."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def zone(request, monkeypatch):
    """The process's local time zone set to ``request.param`` (parametrize with indirect=True)
    for the test, and put back after it: the statistics count study days in local time."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.delenv("TZ")
    time.tzset()
