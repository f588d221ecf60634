"""Deployment files and configuration docs, checked against the code so they cannot drift.

Docker and a cluster cannot run here, so the Kubernetes manifests, compose file and Dockerfile are checked
for their invariants (probes, pinned images, resources, non-root), and every environment name they use
must be a real setting. `.env.example` and README.md must list every setting, in order for the former."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from store.settings import Settings

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "k8s"
APP_IMAGE = re.compile(r"^[\w.-]+(/[\w.-]+)+:\d+\.\d+\.\d+$")  # registry/name:x.y.z, never a moving tag
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def env_name(name: str, field: FieldInfo) -> str:
    """The name a setting is read from: its first alias (DATABASE_URL) or NEXFITRA_<FIELD>."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0]).upper()
    if isinstance(alias, str):
        return alias.upper()
    return f"NEXFITRA_{name.upper()}"


SETTINGS = {env_name(name, field): field for name, field in Settings.model_fields.items()}
# Every name that reaches the settings (the prefixed form of an aliased setting too).
ACCEPTED = set(SETTINGS) | {f"NEXFITRA_{name.upper()}" for name in Settings.model_fields}


# --- .env.example and README ----------------------------------------------------------------------------


def _env_example() -> list[tuple[str, str]]:
    lines = (REPO / ".env.example").read_text().splitlines()
    return [(m[1], m[2]) for line in lines if (m := ENV_LINE.match(line))]


def test_env_example_lists_every_setting_in_order() -> None:
    listed = [name for name, _ in _env_example()]
    assert listed == list(SETTINGS), (
        "keep .env.example in step with store/settings.py (same names, same order); "
        f"missing: {sorted(set(SETTINGS) - set(listed))}, unknown: {sorted(set(listed) - set(SETTINGS))}"
    )


def _as_env(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_env_example_shows_the_real_defaults() -> None:
    """A setting with a default shows exactly that default; one without shows an example value."""
    wrong = []
    for name, shown in _env_example():
        default = SETTINGS[name].default
        if default is not None and shown.strip('"') != _as_env(default):
            wrong.append(f"{name}: shows {shown!r}, default is {_as_env(default)!r}")
    assert not wrong, "\n".join(wrong)


def test_readme_configuration_table_names_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [name for name in SETTINGS if f"`{name}`" not in readme]
    assert not missing, f"README.md configuration table lacks {missing}"


# --- Kubernetes -----------------------------------------------------------------------------------------


def _k8s_documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in _k8s_documents() if doc["kind"] == kind]


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for doc in _k8s_documents()
        if doc["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet")
    ]


def _containers() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{name}/{container['name']}", container)
        for name, pod in _pod_specs()
        for container in [*pod.get("initContainers", []), *pod["containers"]]
    ]


def test_every_manifest_parses_and_is_namespaced() -> None:
    docs = [doc for doc in _k8s_documents() if doc["kind"] != "Kustomization"]
    assert {"Namespace", "ConfigMap", "Secret", "Deployment", "Service", "Job"} <= {d["kind"] for d in docs}
    for doc in docs:
        assert doc["apiVersion"]
        assert doc["metadata"]["name"]
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "nexfitra", doc["metadata"]["name"]


def test_kustomization_lists_every_manifest() -> None:
    (kustomization,) = _of_kind("Kustomization")
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_images_are_pinned_and_one_tag_for_the_app() -> None:
    images = {container["image"] for _, container in _containers()}
    for image in images:
        assert APP_IMAGE.match(image), f"{image}: pin an explicit x.y.z tag (never latest)"
    assert len(images) == 1, f"API, worker and migration must run the same build: {images}"


def test_every_container_has_requests_and_limits() -> None:
    for name, container in _containers():
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{name}: {kind} missing"


def test_pods_run_as_non_root_without_privileges() -> None:
    for name, pod in _pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
    for name, container in _containers():
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert context.get("runAsUser", 10001) != 0, name


def test_api_probes_liveness_on_healthz_and_readiness_on_readyz() -> None:
    (api,) = [c for name, c in _containers() if name.startswith("nexfitra-api/")]
    assert api["command"] == ["nexfitra", "serve"]
    port_names = {port["name"] for port in api["ports"]} | {port["containerPort"] for port in api["ports"]}
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert api[probe]["httpGet"]["port"] in port_names


def test_routes_the_probes_name_exist() -> None:
    from api.app import create_app

    app = create_app(Settings(_env_file=None, database_url="postgresql://unused@localhost/unused"))
    paths = set(app.openapi()["paths"])
    assert {"/healthz", "/readyz"} <= paths


def test_service_reaches_the_api_pods() -> None:
    (service,) = _of_kind("Service")
    (api,) = [d for d in _of_kind("Deployment") if d["metadata"]["name"] == "nexfitra-api"]
    labels = api["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    container_ports = {p["name"] for p in api["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= container_ports


def test_worker_and_migration_commands() -> None:
    commands = {name.split("/")[0]: container["command"] for name, container in _containers()}
    assert commands["nexfitra-worker"] == ["nexfitra", "worker"]
    (job,) = _of_kind("Job")
    assert commands[job["metadata"]["name"]] == ["nexfitra", "db", "upgrade"]


def test_config_and_secret_keys_are_real_settings() -> None:
    for kind in ("ConfigMap", "Secret"):
        for doc in _of_kind(kind):
            data = doc.get("data") or doc.get("stringData") or {}
            unknown = set(data) - ACCEPTED
            assert not unknown, f"{kind} {doc['metadata']['name']}: not settings: {unknown}"
    (secret,) = _of_kind("Secret")
    for key, value in secret["stringData"].items():
        assert "change-me" in value, f"{key}: the example Secret must hold placeholders only"


def test_every_pod_reads_the_same_config_and_secret() -> None:
    for name, container in _containers():
        sources = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert sources == {"nexfitra-config", "nexfitra-secrets"}, name


# --- docker-compose and Dockerfile ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_compose_services_images_and_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["db"]["image"] == "pgvector/pgvector:pg17"
    assert services["api"]["command"] == ["nexfitra", "serve"]
    assert services["worker"]["command"] == ["nexfitra", "worker"]
    assert services["migrate"]["command"] == ["nexfitra", "db", "upgrade"]
    for name in ("db", "api", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    for name, service in services.items():
        image = service.get("image", "")
        assert ":" in image, f"{name}: pin the image tag"
        assert not image.endswith(":latest"), f"{name}: pin the image tag"


def test_compose_app_waits_for_the_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_environment_names_are_settings(compose: dict[str, Any]) -> None:
    for name in ("migrate", "api", "worker"):
        unknown = set(compose["services"][name]["environment"]) - ACCEPTED
        assert not unknown, f"{name}: not settings: {unknown}"


def test_dockerfile_builds_from_the_lock_and_runs_as_non_root() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert bases
    for base in bases:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), base
    assert "uv sync --frozen --no-dev" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^CMD \["nexfitra", "serve"\]', dockerfile, re.M)
    # Everything the image copies must exist, and the build context must not exclude it.
    lines = (REPO / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M):
        for part in source.split():
            assert (REPO / part).exists(), part
            assert part not in ignored, f"{part} is in .dockerignore"
