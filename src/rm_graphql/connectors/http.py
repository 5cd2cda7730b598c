"""Shared httpx pieces: a retrying transport (429/503/timeouts) and status-to-error mapping."""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from rm_graphql.connectors.base import (
    AuthenticationError,
    ConfigurationError,
    ConnectorError,
    PermissionDeniedError,
    RateLimitedError,
    SourceUnavailableError,
    UnexpectedResponseError,
)

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RETRY_EXCEPTIONS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry budget: exponential backoff with full jitter unless the server sends Retry-After."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """HTTP settings every connector accepts."""

    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = "rm-graphql-connector/0.1"


class RetryableStatus(Exception):
    """Internal signal: the server answered with a status worth retrying."""

    def __init__(self, status_code: int, retry_after: float | None, detail: str) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.retry_after = retry_after
        self.detail = detail


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: loading the CA bundle takes ~50 ms."""
    return httpx.create_ssl_context()


class RetryingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and retries throttling, 5xx bursts and timeouts with tenacity."""

    def __init__(self, policy: RetryPolicy, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport(verify=tls_context())
        self.retries = 0
        self._backoff = wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request, retrying per policy; exhaustion becomes a typed error."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type((RetryableStatus, *RETRY_EXCEPTIONS)),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send_once(request)
        except RetryableStatus as error:
            raise _exhausted_error(request, error) from error
        except RETRY_EXCEPTIONS as error:
            raise SourceUnavailableError(
                f"{request.method} {request.url.path}: {type(error).__name__} after "
                f"{self.policy.attempts} attempts"
            ) from error
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        """One attempt; retryable statuses are turned into an exception."""
        response = await self.inner.handle_async_request(request)
        if response.status_code not in RETRY_STATUSES:
            return response
        await response.aread()
        await response.aclose()
        raise RetryableStatus(
            response.status_code,
            parse_retry_after(response.headers.get("Retry-After")),
            error_detail(response),
        )

    def _wait(self, state: RetryCallState) -> float:
        """Honour Retry-After (capped); otherwise back off exponentially with jitter."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableStatus) and error.retry_after is not None:
            return min(error.retry_after, self.policy.max_retry_after)
        return float(self._backoff(state))

    def _log_retry(self, state: RetryCallState) -> None:
        """Count and log each retry."""
        self.retries += 1
        error = state.outcome.exception() if state.outcome else None
        sleep = state.next_action.sleep if state.next_action else 0.0
        logger.info(
            "retrying after %s (attempt %d, wait %.3fs)", error, state.attempt_number, sleep
        )

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.inner.aclose()


def _exhausted_error(request: httpx.Request, error: RetryableStatus) -> ConnectorError:
    """The typed error for a status that kept coming back."""
    message = f"{request.method} {request.url.path}: HTTP {error.status_code} after retries"
    if error.detail:
        message += f" ({error.detail})"
    if error.status_code == 429:
        return RateLimitedError(message)
    return SourceUnavailableError(message)


def error_detail(response: httpx.Response) -> str:
    """A short human-readable reason from vendor error headers or bodies."""
    header: str | None = response.headers.get("X-BambooHR-Message")
    if header:
        return header
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        for key in ("detail", "error_description", "error", "message", "title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def build_client(options: HttpOptions, *, base_url: str = "", **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client with the retrying transport and JSON Accept header."""
    return httpx.AsyncClient(
        base_url=base_url,
        transport=RetryingTransport(options.retry),
        timeout=options.timeout,
        headers={"Accept": "application/json", "User-Agent": options.user_agent},
        **kwargs,
    )


def check_response(response: httpx.Response) -> httpx.Response:
    """Map a non-success status to a typed ConnectorError; return the response otherwise."""
    if response.is_success:
        return response
    where = f"{response.request.method} {response.request.url.path}"
    detail = error_detail(response)
    message = f"{where}: HTTP {response.status_code}" + (f" ({detail})" if detail else "")
    if response.status_code == 401:
        raise AuthenticationError(message)
    if response.status_code == 403:
        raise PermissionDeniedError(message)
    if response.status_code == 404:
        raise ConfigurationError(message + ": check the base URL, company or tenant")
    raise UnexpectedResponseError(message)


def json_body(response: httpx.Response) -> Any:
    """Decode a JSON body, or fail clearly (e.g. XML when Accept was ignored)."""
    check_response(response)
    try:
        return response.json()
    except ValueError as error:
        kind = response.headers.get("Content-Type", "unknown")
        raise UnexpectedResponseError(
            f"{response.request.url.path}: expected JSON, got {kind}"
        ) from error
