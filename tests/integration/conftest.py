"""Fixtures shared by the provider tests: SDK clients closed after the test, retry waits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_servers.sdk_retries import Opened, RetryWaits


@pytest.fixture
async def opened() -> AsyncIterator[Opened]:
    """Providers a test opens; closed (their HTTP pools) when it ends."""
    providers = Opened()
    yield providers
    await providers.close()


@pytest.fixture
def retries(caplog: pytest.LogCaptureFixture) -> RetryWaits:
    """The waits the SDKs logged before retrying."""
    return RetryWaits(caplog)
