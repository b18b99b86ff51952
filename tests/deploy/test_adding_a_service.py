"""Each service directory under services/ reaches every place docs/adding-a-service.md lists: the
table of services, requirements-dev.txt, docker-compose.yml, its Kubernetes manifest and the
kustomization, and docs/events.md for the events it publishes or handles. One failure per service,
naming every place still missing."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from egov_kit.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIRS = sorted(p.name for p in (ROOT / "services").iterdir()
                      if p.is_dir() and not p.name.startswith((".", "_")))


def _places_missing(name: str) -> list[str]:
    missing = []
    entry = SERVICES.get(name)
    if entry is None:
        missing.append("its row in kit/egov_kit/services.toml")
    roles = entry.roles if entry else ("api",)

    if not (ROOT / "services" / name / "requirements.txt").is_file():
        missing.append(f"services/{name}/requirements.txt")
    dev_requirements = (ROOT / "requirements-dev.txt").read_text().splitlines()
    if f"-r services/{name}/requirements.txt" not in [line.strip() for line in dev_requirements]:
        missing.append(f"`-r services/{name}/requirements.txt` in requirements-dev.txt")

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for role in roles:
        if f"{name}-{role}" not in compose:
            missing.append(f"{name}-{role} in docker-compose.yml")

    if not (ROOT / "deploy" / "k8s" / f"{name}.yaml").is_file():
        missing.append(f"deploy/k8s/{name}.yaml")
    kustomization = yaml.safe_load((ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text())
    if f"{name}.yaml" not in kustomization.get("resources", []):
        missing.append(f"{name}.yaml in the resources of deploy/k8s/kustomization.yaml")
    if f"egov/{name}" not in [image["name"] for image in kustomization.get("images", [])]:
        missing.append(f"egov/{name} in the images of deploy/k8s/kustomization.yaml")

    events = (ROOT / "docs" / "events.md").read_text()
    if "relay" in roles and not re.search(rf"^\| `{name}\.[^`]+` \| {name} \|", events, re.M):
        missing.append(f"the events {name} publishes, as rows of docs/events.md")
    if "consumer" in roles and not re.search(rf"\b{name}\b", events):
        missing.append(f"what {name} handles, in docs/events.md")
    return missing


def test_there_are_services():
    assert SERVICE_DIRS, "services/ is empty"


@pytest.mark.parametrize("name", SERVICE_DIRS)
def test_the_service_reaches_every_place(name):
    missing = _places_missing(name)
    assert not missing, f"services/{name} still needs (docs/adding-a-service.md): " + "; ".join(missing)


def test_every_row_of_the_table_has_its_directory():
    rows_without_a_directory = sorted(set(SERVICES) - set(SERVICE_DIRS))
    assert rows_without_a_directory == [], "rows of services.toml without their services/<name>/"
