"""Signing in to the console at a real OpenID provider on loopback (the npm package
oidc-provider, run with node from tests/e2e/node): authorization code with PKCE, the agency and
roles read from the provider's claims by configuration (groups 承办人/负责人 mapped to handler
and office_head), the services verifying the provider's RS256 access tokens against its JWKS —
and refusing with UNAUTHENTICATED a token from another issuer, one for another audience, and
one signed with the embedded mode's shared key."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from playwright._impl._api_structures import SetCookieParam
from playwright.sync_api import Browser, Page

from ogi.auth import Principal, Role, mint_token
from ogi.messaging.nats_server import free_port
from ogi.v1 import archive_pb2 as a
from ogi.v1 import handling_pb2 as h
from ogi.v1 import intake_pb2 as i
from tests.builders import request as application
from tests.e2e.console_system import (
    Console,
    chromium,
    console_process,
    holds_a_token,
    screenshot,
    until_listed,
)
from tests.integration.conftest import TOKEN_KEY, wait_for
from tests.integration.three_services import ThreeServices, three_services

NODE = Path(__file__).parent / "node"
AUDIENCE = "urn:ogi:services"
CONSOLE_PORT = free_port()
CLAIMS = {
    "OGI_OIDC_AUDIENCE": AUDIENCE,
    "OGI_OIDC_ROLES_CLAIM": "groups",
    "OGI_OIDC_AGENCY_CLAIM": "agency",
    "OGI_OIDC_ROLE_MAP": "承办人=handler,负责人=office_head,登记员=registrar",
}


class Provider:
    def __init__(self, process: subprocess.Popen[str], issuer: str) -> None:
        self.process = process
        self.issuer = issuer

    def token(self, resource: str = AUDIENCE) -> str:
        """An access token for client ogi-test (client credentials), for `resource`."""
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "resource": resource, "scope": "openid"}
        ).encode()
        sent = urllib.request.Request(  # noqa: S310 - the provider on loopback
            self.issuer + "/token",
            data=body,
            headers={"authorization": "Basic " + b64encode(b"ogi-test:test-secret").decode()},
        )
        with urllib.request.urlopen(sent, timeout=10) as answer:  # noqa: S310
            return str(json.load(answer)["access_token"])


def start_provider() -> Iterator[Provider]:
    port = free_port()
    env = os.environ | {
        "PORT": str(port),
        "REDIRECT_URI": f"http://127.0.0.1:{CONSOLE_PORT}/signin/callback",
        "AUDIENCE": AUDIENCE,
    }
    process = subprocess.Popen(
        ["node", str(NODE / "oidc_provider.js")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("ready "), line
        yield Provider(process, line.removeprefix("ready "))
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    assert (NODE / "node_modules" / "oidc-provider").exists(), "run `make browser-deps`"
    yield from start_provider()


@pytest.fixture(scope="module")
def other_provider() -> Iterator[Provider]:
    """Another issuer, with its own keys, issuing tokens with the same claims and audience."""
    yield from start_provider()


@pytest.fixture(scope="module")
def system(
    provider: Provider, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeServices]:
    env = CLAIMS | {"OGI_OIDC_ISSUER": provider.issuer}
    with three_services("sqlite", request, tmp_path_factory.mktemp("sqlite"), env) as s:
        yield s


@pytest.fixture(scope="module")
def console(
    provider: Provider, system: ThreeServices, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    oidc = CLAIMS | {
        "OGI_OIDC_ISSUER": provider.issuer,
        "OGI_OIDC_CLIENT_ID": "ogi-console",
        "OGI_OIDC_CLIENT_SECRET": "console-secret",
        "OGI_CONSOLE_LISTEN": f"127.0.0.1:{CONSOLE_PORT}",
        "OGI_CONSOLE_URL": f"http://127.0.0.1:{CONSOLE_PORT}",
        "OGI_CONSOLE_SECURE_COOKIES": "yes",
    }
    with console_process(system, tmp_path_factory.mktemp("console"), **oidc) as c:
        yield c


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def sign_in_at_provider(browser: Browser, console: Console, login: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(console.url + "/signin")
    screenshot(page, "signin-oidc")
    page.click("#oidc-sign-in")
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")  # the development login form takes any
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/**")
    return page


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def test_sign_in_at_the_provider_with_roles_from_its_claims(
    system: ThreeServices, console: Console, browser: Browser, provider: Provider
) -> None:
    number = system.intake.stub.SubmitApplication(application(), timeout=10).application_number
    page = sign_in_at_provider(browser, console, "zhao")
    assert page.url == console.url + "/"
    assert "赵主任（HZMZJ，承办人、工作机构负责人）" in page.inner_text("header")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ogi_session")
    assert cookie["secure"]
    assert cookie["httpOnly"]
    assert not any(holds_a_token(c["value"]) for c in page.context.cookies())
    # The services take the provider's token the console holds for the person.
    until_listed(page, console.url + "/", number)
    page.goto(f"{console.url}/cases/{number}")
    page.click("#step-accept button[type=submit]")
    assert "办理中" in page.inner_text("h1")
    assert page.locator("#step-extend").count() == 1  # office head, from the group 负责人
    case = system.handling.handling.GetCase(
        h.GetCaseRequest(case=number), metadata=metadata(provider.token()), timeout=10
    ).case
    assert case.state == h.CASE_STATE_IN_PROGRESS
    assert case.history[-1].actor == "赵主任"
    # Signing out ends the session here and at the provider.
    old: SetCookieParam = {"name": cookie["name"], "value": cookie["value"], "url": console.url}
    page.click("form[action='/signout'] button[type=submit]")
    wait_for(lambda: provider.issuer in page.url, what=f"the provider sign-out {page.url}")
    stolen = browser.new_context()
    stolen.add_cookies([old])
    assert stolen.request.get(console.url + "/", max_redirects=0).status == 303
    stolen.close()
    page.context.close()


def test_a_person_without_any_of_our_roles_is_not_signed_in(
    console: Console, browser: Browser
) -> None:
    page = sign_in_at_provider(browser, console, "stranger")
    assert "身份认证未通过" in page.inner_text("main")
    assert "ogi_session" not in {c["name"] for c in page.context.cookies()}
    page.context.close()


def test_the_services_refuse_another_issuer_another_audience_and_the_shared_key(
    system: ThreeServices, provider: Provider, other_provider: Provider
) -> None:
    right = provider.token()
    system.handling.handling.ListWorklist(
        h.ListWorklistRequest(), metadata=metadata(right), timeout=10
    )
    system.archive.archive.ListConversionCandidates(
        a.ListConversionCandidatesRequest(agency_code="HZMZJ"), metadata=metadata(right), timeout=10
    )
    shared_key = mint_token(
        TOKEN_KEY,
        Principal("李四", "HZMZJ", frozenset({Role.HANDLER})),
        datetime.now(UTC),
        timedelta(hours=1),
    )
    wrong = {
        "another issuer": other_provider.token(),
        "another audience": provider.token(resource="urn:another:api"),
        "the shared HS256 key": shared_key,
    }
    for why, token in wrong.items():
        for call in refused_calls(system, token):
            with pytest.raises(grpc.RpcError) as refused:
                call()
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED, why


def refused_calls(system: ThreeServices, token: str) -> list[Callable[[], object]]:
    """A call to each service with `token`."""
    return [
        lambda: system.handling.handling.ListWorklist(
            h.ListWorklistRequest(), metadata=metadata(token), timeout=10
        ),
        lambda: system.archive.archive.ListConversionCandidates(
            a.ListConversionCandidatesRequest(agency_code="HZMZJ"),
            metadata=metadata(token),
            timeout=10,
        ),
        lambda: system.intake.stub.RecordWithdrawalReceived(
            i.RecordWithdrawalReceivedRequest(application_number="HZMZJ-2026-000001"),
            metadata=metadata(token),
            timeout=10,
        ),
    ]
