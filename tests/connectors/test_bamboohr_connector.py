"""BambooHR connector against the fake over real HTTP: data, increments, faults, OAuth."""

from __future__ import annotations

import time
from datetime import date

import httpx
import pytest

from rm_graphql.connectors import (
    AuthenticationError,
    ConfigurationError,
    EmployeeStatus,
    FieldMismatchError,
    HttpOptions,
    InMemoryTokenStore,
    RateLimitedError,
    ReconnectRequired,
    RetryPolicy,
    SourceUnavailableError,
)
from rm_graphql.connectors.bamboohr import BambooHRConfig, BambooHRConnector, bamboohr_oauth_client
from rm_graphql.connectors.mapping import MappingProfile, load_profile, parse_profile
from rm_graphql.testing import FakeBambooHR, Organisation
from rm_graphql.testing.org import TERMINATED

from .conftest import FAST, Run, collect

Fake = tuple[FakeBambooHR, str]


def key_connector(
    bamboo: Fake,
    *,
    classic: bool = False,
    profile: MappingProfile | None = None,
    options: HttpOptions = FAST,
) -> BambooHRConnector:
    fake, base_url = bamboo
    credentials = fake.credentials(base_url)
    api_base = credentials["classic_api_base" if classic else "api_base"]
    config = BambooHRConfig(api_base, api_key=credentials["api_key"])
    return BambooHRConnector(config, profile=profile, options=options)


def assert_matches_org(run: Run, org: Organisation) -> None:
    """Every person on record came through with the right values."""
    records = run.by_id()
    assert set(records) == {person.bamboo_id for person in org.current()}
    assert run.invalid == []
    for person in org.current():
        record = records[person.bamboo_id]
        assert record.employee_number == person.employee_number
        assert record.department == person.department
        assert record.job_level == person.level
        assert record.languages == tuple(person.languages)
        assert record.skills == tuple(person.skills)
        assert record.timezone == person.site.timezone
        assert record.hire_date == person.hire_date  # falls back to originalHireDate on 0000-00-00
        expected_year = None if person.number % 89 == 0 else person.birth_date.year
        assert record.birth_year == expected_year
        assert (record.status == EmployeeStatus.TERMINATED) == (person.status == TERMINATED)
        manager = org.people.get(person.manager) if person.manager else None
        assert record.manager_external_id == (manager.bamboo_id if manager else None)
        assert record.manager_employee_number == (manager.employee_number if manager else None)


async def test_full_run_with_api_key_returns_everyone_on_record(bamboo: Fake) -> None:
    fake, _ = bamboo
    async with key_connector(bamboo) as connector:
        await connector.check()
        run = await collect(connector)
    assert run.complete
    assert_matches_org(run, fake.org)
    assert any(r.status == EmployeeStatus.TERMINATED for r in run.records)
    assert any(r.status == EmployeeStatus.LEAVE for r in run.records)
    assert run.watermark == max(p.last_changed for p in fake.org.current())


async def test_classic_gateway_url_works_too(bamboo: Fake) -> None:
    async with key_connector(bamboo, classic=True) as connector:
        run = await collect(connector)
    assert_matches_org(run, bamboo[0].org)


async def test_wrong_company_on_classic_url_is_a_configuration_error(bamboo: Fake) -> None:
    fake, base_url = bamboo
    config = BambooHRConfig(f"{base_url}/api/gateway.php/other/v1", api_key=fake.api_key)
    async with BambooHRConnector(config, options=FAST) as connector:
        with pytest.raises(ConfigurationError):
            await connector.check()


async def test_bad_api_key_is_an_authentication_error(bamboo: Fake) -> None:
    fake, base_url = bamboo
    config = BambooHRConfig(fake.credentials(base_url)["api_base"], api_key="wrong")
    async with BambooHRConnector(config, options=FAST) as connector:
        with pytest.raises(AuthenticationError, match="401"):
            await collect(connector)


async def test_incremental_run_finds_joiners_leavers_and_deletions(bamboo: Fake) -> None:
    fake, _ = bamboo
    async with key_connector(bamboo) as connector:
        first = await collect(connector)
        changes = fake.org.advance(days=14)
        second = await collect(connector, since=first.watermark)
    assert not second.complete
    ids = second.by_id()
    joiner = fake.org.people[changes.joined[0]]
    assert ids[joiner.bamboo_id].hire_date == fake.org.now.date()
    leaver = fake.org.people[changes.left[0]]
    assert ids[leaver.bamboo_id].status == EmployeeStatus.TERMINATED
    assert ids[leaver.bamboo_id].terminated_on == fake.org.now.date()
    assert fake.org.people[changes.updated[0]].bamboo_id in ids
    assert second.removed == [fake.org.deleted[n][0].bamboo_id for n in changes.deleted]
    assert len(second.records) < len(first.records) // 2
    assert first.watermark is not None
    assert second.watermark is not None
    assert second.watermark > first.watermark


async def test_incremental_run_without_changes_only_repeats_the_overlap(bamboo: Fake) -> None:
    async with key_connector(bamboo) as connector:
        first = await collect(connector)
        assert first.watermark is not None
        second = await collect(connector, since=first.watermark)
    window_start = first.watermark - connector.overlap
    expected = [r for r in first.records if r.last_changed and r.last_changed >= window_start]
    assert 1 <= len(second.records) == len(expected) < 5
    assert set(second.records) <= set(first.records)
    assert second.removed == []
    assert second.watermark is not None


async def test_faults_do_not_change_the_result(bamboo: Fake) -> None:
    fake, _ = bamboo
    async with key_connector(bamboo) as connector:
        clean = await collect(connector)
        # One report request absorbs four failures within its retry budget of five.
        fake.faults.rate_limit(1, retry_after=None).unavailable(2).slow(1, seconds=1.0)
        faulty = await collect(connector)
    assert fake.faults.injected == {"rate_limit": 1, "unavailable": 2, "slow": 1}
    assert fake.faults.pending == 0
    assert fake.requests["report"] == 6
    assert faulty.records == clean.records


async def test_retry_after_is_honoured(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.rate_limit(1, retry_after=1)
    async with key_connector(bamboo) as connector:
        started = time.monotonic()
        await connector.check()
    assert time.monotonic() - started >= 1.0
    assert fake.faults.injected["rate_limit"] == 1


async def test_legacy_503_throttle_is_retried_with_its_retry_after(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.unavailable(2, retry_after=0)
    async with key_connector(bamboo) as connector:
        await connector.check()
    assert fake.faults.injected["unavailable"] == 2
    assert fake.requests["meta"] == 3


async def test_endless_throttling_ends_in_a_typed_error(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.rate_limit(50, retry_after=None)
    async with key_connector(bamboo) as connector:
        with pytest.raises(RateLimitedError, match="429"):
            await connector.check()
    assert fake.requests["meta"] == FAST.retry.attempts


async def test_endless_timeouts_end_in_source_unavailable(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.slow(2, seconds=0.6)
    options = HttpOptions(timeout=0.2, retry=RetryPolicy(attempts=2, base_delay=0.001))
    async with key_connector(bamboo, options=options) as connector:
        with pytest.raises(SourceUnavailableError, match="Timeout"):
            await connector.check()


async def test_silently_dropped_report_fields_fail_loudly(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.drop_fields("customLevel", "dateOfBirth")
    async with key_connector(bamboo) as connector:
        with pytest.raises(FieldMismatchError) as raised:
            await collect(connector)
    assert raised.value.missing == ["customLevel", "dateOfBirth"]


async def test_dropped_fields_can_be_tolerated_by_profile(bamboo: Fake) -> None:
    fake, _ = bamboo
    fake.faults.drop_fields("customLevel")
    profile = load_profile("bamboohr")
    fields = {
        "external_id": "id",
        "display_name": "displayName",
        "job_level": {"source": "customLevel", "coerce": "grade"},
    }
    document = {"source": "bamboohr", "options": {"field_mismatch": "warn"}, "fields": fields}
    tolerant = parse_profile(document)
    async with key_connector(bamboo, profile=tolerant) as connector:
        run = await collect(connector)
    assert len(run.records) == len(fake.org.current())
    assert all(record.job_level is None for record in run.records)
    assert profile.options.field_mismatch == "fail"


async def test_unknown_fields_in_the_profile_are_caught_by_check(bamboo: Fake) -> None:
    document = {"source": "bamboohr", "fields": {"external_id": "id", "display_name": "nickName"}}
    async with key_connector(bamboo, profile=parse_profile(document)) as connector:
        with pytest.raises(FieldMismatchError, match="nickName"):
            await connector.check()


async def authorised_oauth_connector(bamboo: Fake, store: InMemoryTokenStore) -> BambooHRConnector:
    """Run the authorization code flow the way an admin's browser would."""
    fake, base_url = bamboo
    credentials = fake.credentials(base_url)
    oauth = bamboohr_oauth_client(
        base_url,
        credentials["client_id"],
        credentials["client_secret"],
        redirect_uri="http://127.0.0.1:9/callback",
    )
    connector = BambooHRConnector(
        BambooHRConfig(credentials["api_base"], oauth=oauth), token_store=store, options=FAST
    )
    assert connector.oauth is not None
    async with httpx.AsyncClient() as browser:
        redirect = await browser.get(connector.oauth.authorization_url("state-1"))
    assert redirect.status_code == 302
    callback = httpx.URL(redirect.headers["Location"])
    assert callback.params["state"] == "state-1"
    await connector.oauth.exchange_code(callback.params["code"])
    return connector


async def test_oauth_code_flow_then_expiry_refreshes_once_and_rotates(bamboo: Fake) -> None:
    fake, base_url = bamboo
    store = InMemoryTokenStore()
    connector = await authorised_oauth_connector(bamboo, store)
    first_refresh_token = store.token["refresh_token"]  # type: ignore[index]
    async with connector:
        await connector.check()
        assert fake.oauth.stats["refreshes"] == 0
        fake.faults.expire_tokens()
        run = await collect(connector)
    assert len(run.records) == len(fake.org.current())
    assert fake.oauth.stats["refreshes"] == 1
    assert fake.requests["report"] == 2
    assert store.token is not None
    assert store.token["refresh_token"] != first_refresh_token
    async with httpx.AsyncClient() as client:
        reuse = await client.post(
            fake.credentials(base_url)["token_url"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": first_refresh_token,
                "client_id": fake.oauth.client_id,
                "client_secret": fake.oauth.client_secret,
            },
        )
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"


async def test_a_second_401_after_refresh_is_an_authentication_error(bamboo: Fake) -> None:
    fake, _ = bamboo
    connector = await authorised_oauth_connector(bamboo, InMemoryTokenStore())
    fake.faults.expire_tokens().expire_tokens()
    async with connector:
        with pytest.raises(AuthenticationError, match="401"):
            await connector.check()
    assert fake.oauth.stats["refreshes"] == 1


async def test_a_second_401_on_the_streamed_report_is_an_authentication_error(
    bamboo: Fake,
) -> None:
    fake, _ = bamboo
    connector = await authorised_oauth_connector(bamboo, InMemoryTokenStore())
    fake.faults.expire_tokens().expire_tokens()
    async with connector:
        with pytest.raises(AuthenticationError, match="401"):
            await collect(connector)
    assert fake.oauth.stats["refreshes"] == 1
    assert fake.requests["report"] == 2


async def test_revoked_grant_means_reconnect(bamboo: Fake) -> None:
    fake, _ = bamboo
    connector = await authorised_oauth_connector(bamboo, InMemoryTokenStore())
    fake.oauth.revoke_refresh_tokens()
    fake.faults.expire_tokens()
    async with connector:
        with pytest.raises(ReconnectRequired, match="invalid_grant"):
            await connector.check()


async def test_oauth_without_a_stored_token_means_reconnect(bamboo: Fake) -> None:
    fake, base_url = bamboo
    credentials = fake.credentials(base_url)
    oauth = bamboohr_oauth_client(
        base_url, credentials["client_id"], credentials["client_secret"], redirect_uri="x:/cb"
    )
    config = BambooHRConfig(credentials["api_base"], oauth=oauth)
    async with BambooHRConnector(config, token_store=InMemoryTokenStore()) as connector:
        with pytest.raises(ReconnectRequired):
            await connector.check()


async def test_authorization_codes_are_single_use(bamboo: Fake) -> None:
    fake, base_url = bamboo
    credentials = fake.credentials(base_url)
    params = {"client_id": credentials["client_id"], "redirect_uri": "http://127.0.0.1:9/cb"}
    async with httpx.AsyncClient() as client:
        redirect = await client.get(credentials["authorize_url"], params=params)
        code = httpx.URL(redirect.headers["Location"]).params["code"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:9/cb",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        }
        first = await client.post(credentials["token_url"], data=form)
        second = await client.post(credentials["token_url"], data=form)
    assert first.status_code == 200
    assert first.json()["expires_in"] == 3600
    assert second.json()["error"] == "invalid_grant"


def test_config_needs_exactly_one_credential() -> None:
    with pytest.raises(ConfigurationError):
        BambooHRConnector(BambooHRConfig("https://acme.bamboohr.com/api/v1"))
    assert BambooHRConfig.for_company("acme", classic=True).api_base == (
        "https://api.bamboohr.com/api/gateway.php/acme/v1"
    )


@pytest.mark.slow
async def test_fifty_thousand_employees_in_one_report() -> None:
    fake = FakeBambooHR(Organisation(seed=5, size=50_000))
    from rm_graphql.testing import running_server

    with running_server(fake.app) as base_url:
        config = BambooHRConfig(fake.credentials(base_url)["api_base"], api_key=fake.api_key)
        started = time.monotonic()
        async with BambooHRConnector(config) as connector:
            run = await collect(connector)
    assert len(run.records) == 50_000
    assert run.invalid == []
    assert time.monotonic() - started < 30
    assert min(r.hire_date for r in run.records if r.hire_date) < date(2020, 1, 1)
