"""deploy/k8s/console.yaml fits the console: reached only through its Ingress with TLS and cookie
affinity (sessions live in a replica's memory), Secure cookies, the public URL the OIDC redirect
uses on the Ingress's host, the services' addresses those of their Services, and OpenID Connect
configured for the console and the services alike (the client secret from a generated Secret)."""

from __future__ import annotations

from typing import Any

from tests.k8s.test_manifests import SERVICES, by_kind, kustomization


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_the_console_is_reached_through_its_own_ingress_with_tls_and_affinity() -> None:
    ingress = by_kind("Ingress")["console"]
    rule = ingress["spec"]["rules"][0]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "console"
    service = by_kind("Service")["console"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert by_kind("Ingress")["portal"]["spec"]["rules"][0]["host"] != rule["host"]
    (container,) = by_kind("Deployment")["console"]["spec"]["template"]["spec"]["containers"]
    env = _env(container)
    assert env["OGI_CONSOLE_URL"] == f"https://{rule['host']}"
    assert env["OGI_CONSOLE_SECURE_COOKIES"] == "yes"
    for service_name, port in SERVICES.items():
        if service_name != "notifier":
            assert env[f"OGI_{service_name.upper()}_ADDR"] == f"{service_name}:{port}"
    assert by_kind("PodDisruptionBudget")["console"]["spec"]["minAvailable"] == 1


def test_openid_connect_is_configured_for_the_console_and_the_services() -> None:
    config = by_kind("ConfigMap")["ogi-config"]["data"]
    assert config["OGI_OIDC_ISSUER"].startswith("https://")
    assert config["OGI_OIDC_AUDIENCE"]
    mapped = {pair.split("=")[1] for pair in config["OGI_OIDC_ROLE_MAP"].split(",")}
    assert mapped == {"registrar", "handler", "office_head", "auditor", "reviewer", "operator"}
    (container,) = by_kind("Deployment")["console"]["spec"]["template"]["spec"]["containers"]
    secret = _env(container)["OGI_OIDC_CLIENT_SECRET"]["secretKeyRef"]
    generated = {g["name"]: g["files"] for g in kustomization()["secretGenerator"]}
    assert any(f.startswith(f"{secret['key']}=") for f in generated[secret["name"]])
