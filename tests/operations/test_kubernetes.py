"""deploy/kubernetes, validated offline: every manifest against the Kubernetes OpenAPI
schemas (kubernetes-validate, strict: unknown fields fail), and against each other and the
gateway: probes on /readyz and /healthz, termination longer than drain + deadline, every
setting one the gateway reads, references that resolve, HPA and PDB on the right pods."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33.0"  # the oldest minor still supported upstream when written


def load(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((DEPLOY / name).read_text()) if doc]


def manifests() -> list[str]:
    return sorted(p.name for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc for name in manifests() for doc in load(name)
    }


@pytest.mark.parametrize("name", manifests())
def test_each_manifest_is_valid_kubernetes(name: str) -> None:
    for doc in load(name):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomize_lists_every_manifest_but_the_secret_example() -> None:
    (kustomization,) = load("kustomization.yaml")
    assert sorted(kustomization["resources"]) == [
        m for m in manifests() if m != "secret.example.yaml"
    ]


def _pod(objects: dict[tuple[str, str], dict[str, Any]], name: str) -> dict[str, Any]:
    spec: dict[str, Any] = objects["Deployment", name]["spec"]["template"]["spec"]
    return spec


def test_the_gateway_runs_replicas_that_drain_before_they_stop(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    deployment = objects["Deployment", "portal-gateway"]
    assert deployment["spec"]["replicas"] >= 2
    pod = _pod(objects, "portal-gateway")
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert set(container["resources"]) == {"requests", "limits"}
    assert container["args"][0] == "serve" and "--no-sandbox" in container["args"]
    config = objects["ConfigMap", "portal-gateway-config"]["data"]
    drain = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    in_flight = float(config["PORTAL_SHUTDOWN_GRACE_S"])
    assert float(config["PORTAL_REQUEST_DEADLINE_S"]) < in_flight
    assert pod["terminationGracePeriodSeconds"] > drain + in_flight
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_the_worker_runs_the_same_image_with_the_worker_command(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    (gateway,) = _pod(objects, "portal-gateway")["containers"]
    (worker,) = _pod(objects, "portal-worker")["containers"]
    assert worker["image"] == gateway["image"]
    assert worker["args"] == ["worker"]
    assert worker["envFrom"] == gateway["envFrom"]


def test_autoscaling_and_disruption_budgets_select_the_deployments_pods(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    hpa = objects["HorizontalPodAutoscaler", "portal-gateway"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "portal-gateway"
    assert hpa["minReplicas"] >= 2
    assert [m["resource"]["name"] for m in hpa["metrics"]] == ["cpu"]
    for name in ("portal-gateway", "portal-worker"):
        labels = objects["Deployment", name]["spec"]["template"]["metadata"]["labels"]
        selector = objects["PodDisruptionBudget", name]["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
    service = objects["Service", "portal-gateway"]["spec"]["selector"]
    gateway_labels = objects["Deployment", "portal-gateway"]["spec"]["template"]["metadata"]
    assert service.items() <= gateway_labels["labels"].items()


def test_every_setting_is_one_the_gateway_reads_and_references_resolve(
    objects: dict[tuple[str, str], dict[str, Any]],
) -> None:
    known = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (REPO / "config.py").read_text()))
    config = objects["ConfigMap", "portal-gateway-config"]["data"]
    secret = objects["Secret", "portal-gateway-secrets"]["stringData"]
    for name in [*config, *secret]:
        assert name in known or name.startswith("OTEL_"), name
    assert not set(config) & set(secret)
    assert config["PORTAL_ENV"] == "production"
    for deployment in ("portal-gateway", "portal-worker"):
        (container,) = _pod(objects, deployment)["containers"]
        for source in container["envFrom"]:
            ((field, ref),) = source.items()
            kind = {"configMapRef": "ConfigMap", "secretRef": "Secret"}[field]
            assert (kind, ref["name"]) in objects
