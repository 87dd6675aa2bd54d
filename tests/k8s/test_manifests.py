"""deploy/k8s validates against the Kubernetes schemas (kubernetes-validate, strict: unknown fields
are errors) and the CloudNativePG CRD schema (@kubernetes-models, run with node), and its parts
fit together: probes on the served port, every Secret and ConfigMap referenced exists, budgets
and autoscalers point at what is deployed, NATS and PostgreSQL have three members each, and the
public portal is reached through its Ingress."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33"
CUSTOM_GROUPS = ("postgresql.cnpg.io/",)
SERVICES = {"intake": 50051, "handling": 50052, "archive": 50053, "notifier": 50054}
WEB_APPS = {"portal": 8090, "console": 8080}  # HTTP, probed on /healthz and /readyz


def kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return loaded


def documents() -> list[dict[str, Any]]:
    return [
        doc
        for name in kustomization()["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents() if d["kind"] == kind}


def test_every_manifest_is_valid_kubernetes() -> None:
    builtin = [d for d in documents() if not d["apiVersion"].startswith(CUSTOM_GROUPS)]
    assert {d["kind"] for d in builtin} == {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "StatefulSet",
        "Ingress",
    }
    for doc in builtin:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_an_unknown_field_or_a_wrong_type_is_caught() -> None:
    deployment = by_kind("Deployment")["intake"]
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    cluster = by_kind("Cluster")["ogi-db"]
    cluster["spec"]["instances"] = "three"
    assert validate_custom([cluster]).returncode == 1


def validate_custom(docs: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is needed to validate the CloudNativePG Cluster (make test installs it)"
    assert (Path(__file__).parent / "node_modules").exists(), "run: make k8s-schemas"
    return subprocess.run(
        [node, "validate-crd.js"],
        cwd=Path(__file__).parent,
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_postgres_cluster_is_valid_for_cloudnative_pg() -> None:
    custom = [d for d in documents() if d["apiVersion"].startswith(CUSTOM_GROUPS)]
    assert [d["kind"] for d in custom] == ["Cluster"]
    result = validate_custom(custom)
    assert result.returncode == 0, result.stdout + result.stderr
    assert custom[0]["spec"]["instances"] == 3


def test_each_service_is_probed_on_its_port_and_rolls_without_downtime() -> None:
    deployments = by_kind("Deployment")
    assert set(deployments) == set(SERVICES) | set(WEB_APPS)
    for name, port in WEB_APPS.items():
        spec = deployments[name]["spec"]
        assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        (container,) = spec["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}"]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        paths = {p: container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe")}
        assert set(paths.values()) == {"/healthz"}
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"], name
        assert container["resources"]["limits"], name
    for name, port in SERVICES.items():
        spec = deployments[name]["spec"]
        assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        (container,) = spec["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"]["port"] == port, (name, probe)
        env = {e["name"]: e for e in container["env"]}
        assert env["OGI_LISTEN"]["value"] == f"0.0.0.0:{port}"
        assert env["OGI_DATABASE_SCHEMA"]["value"] == name
        assert container["resources"]["requests"], name
        assert container["resources"]["limits"], name


def test_references_resolve() -> None:
    generated = {g["name"] for g in kustomization()["secretGenerator"]}
    made_by_cnpg = {f"{name}-app" for name in by_kind("Cluster")}
    config_maps = set(by_kind("ConfigMap"))
    for name, deployment in by_kind("Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        secrets = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
        (container,) = pod["containers"]
        secrets |= {
            e["valueFrom"]["secretKeyRef"]["name"]
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert secrets <= generated | made_by_cnpg, name
        assert {c["configMapRef"]["name"] for c in container["envFrom"] if "configMapRef" in c} <= (
            config_maps
        )
        mounted_maps = {v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v}
        assert mounted_maps <= config_maps, name
        # A Secret the operator makes (README) may be left out: it must be marked optional.
        for ref in (c["secretRef"] for c in container["envFrom"] if "secretRef" in c):
            assert ref["name"] in generated | made_by_cnpg or ref["optional"], name
    keys = {f.split("=")[0] for f in kustomization()["secretGenerator"][0]["files"]}
    config = by_kind("ConfigMap")["ogi-config"]["data"]
    mounted = {Path(config[v]).name for v in ("OGI_CIPHER_KEY_FILE", "OGI_TOKEN_KEY_FILE")}
    assert mounted == keys


def test_budgets_and_autoscalers_cover_the_services() -> None:
    labels = {
        name: d["spec"]["template"]["metadata"]["labels"]
        for kind in ("Deployment", "StatefulSet")
        for name, d in by_kind(kind).items()
    }
    budgets = by_kind("PodDisruptionBudget")
    assert set(budgets) == set(labels)
    for name, budget in budgets.items():
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels[name].items()
    autoscalers = by_kind("HorizontalPodAutoscaler")
    assert {a["spec"]["scaleTargetRef"]["name"] for a in autoscalers.values()} == {
        "intake",
        "handling",
        "portal",
    }
    for service in by_kind("Service").values():
        selector = service["spec"]["selector"].items()
        assert any(selector <= pod_labels.items() for pod_labels in labels.values())


def test_nats_is_a_cluster_of_three_keeping_the_stream_three_times() -> None:
    nats = by_kind("StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    conf = by_kind("ConfigMap")["nats-config"]["data"]["nats.conf"]
    assert "jetstream" in conf
    assert all(f"nats-{i}.nats-headless:6222" in conf for i in range(3))
    assert by_kind("ConfigMap")["ogi-config"]["data"]["OGI_STREAM_REPLICAS"] == "3"


def test_the_portal_is_public_through_its_ingress_and_intake_trusts_its_forwarding() -> None:
    ingress = by_kind("Ingress")["portal"]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = by_kind("Service")[backend["name"]]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "portal"}
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    deployments = by_kind("Deployment")
    (portal,) = deployments["portal"]["spec"]["template"]["spec"]["containers"]
    (intake,) = deployments["intake"]["spec"]["template"]["spec"]["containers"]
    portal_env = {e["name"]: e.get("value") for e in portal["env"]}
    intake_env = {e["name"]: e.get("value") for e in intake["env"]}
    assert portal_env["OGI_INTAKE_ADDRESS"] == f"intake:{SERVICES['intake']}"
    assert intake_env["OGI_TRUSTED_PROXIES"] == portal_env["OGI_PORTAL_FORWARDED_ALLOW_IPS"]
    assert portal_env["OGI_PORTAL_FORWARDED_ALLOW_IPS"] != "*"  # "*" believes what clients say


def test_handling_reads_the_agencies_documents_from_a_config_map() -> None:
    """OGI_DOCUMENTS_DIR (issue 17) is a folder mounted from ConfigMap ogi-documents."""
    pod = by_kind("Deployment")["handling"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    folder = {e["name"]: e.get("value") for e in container["env"]}["OGI_DOCUMENTS_DIR"]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == folder)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert "documents.toml" in by_kind("ConfigMap")[volume["configMap"]["name"]]["data"]
