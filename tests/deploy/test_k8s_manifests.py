"""deploy/k8s: every manifest parses and is well-formed, and together they deploy each service of the
table (kit/egov_kit/services.toml) in exactly its roles, with probes, resources, shared config and
the secret by reference."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from egov_kit.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
ROLES = {name: entry.roles for name, entry in SERVICES.items()}

API_VERSIONS = {
    "Namespace": "v1",
    "ConfigMap": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
}
CONFIG_MAP = "egov-config"
SECRET = "egov-secrets"
SECRET_ENV = {"SERVICE_CLIENT_SECRET": "service-client-secret", "MONGO_URI": "mongo-uri", "AMQP_URL": "amqp-url"}
# Secrets only one service holds.
OWN_SECRET_ENV = {"notifier": {"WEBHOOK_SECRET_KEY": "webhook-secret-key"}, "auth": {"ASAN_RP_UUID": "asan-rp-uuid"},
                  "portal": {"PORTAL_SECRET": "portal-secret"}}
DNS_1123 = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
QUANTITY = {"oneOf": [{"type": "string", "pattern": r"^\d+(\.\d+)?(m|Ki|Mi|Gi|k|M|G)?$"}, {"type": "number"}]}

# --- small schemas: the parts of the Kubernetes API these manifests use ----------------------
METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": DNS_1123, "maxLength": 63},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
LABEL_MAP = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}
PORT_REF = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 65535},
                      {"type": "string", "pattern": r"^[a-z]([-a-z0-9]*[a-z0-9])?$", "maxLength": 15}]}
PROBE = {
    "type": "object",
    "oneOf": [
        {"required": ["httpGet"], "properties": {"httpGet": {
            "type": "object", "required": ["path", "port"],
            "properties": {"path": {"type": "string", "pattern": "^/"}, "port": PORT_REF}}}},
        {"required": ["exec"], "properties": {"exec": {
            "type": "object", "required": ["command"],
            "properties": {"command": {"type": "array", "minItems": 1, "items": {"type": "string"}}}}}},
    ],
    "properties": {k: {"type": "integer", "minimum": 0} for k in (
        "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold")},
}
RESOURCE_LIST = {"type": "object", "required": ["cpu", "memory"],
                 "properties": {"cpu": QUANTITY, "memory": QUANTITY}, "additionalProperties": False}
CONTAINER = {
    "type": "object",
    "required": ["name", "image", "resources", "readinessProbe", "livenessProbe"],
    "properties": {
        "name": {"type": "string", "pattern": DNS_1123},
        "image": {"type": "string", "minLength": 1},
        "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
        "command": {"type": "array", "items": {"type": "string"}},
        "args": {"type": "array", "items": {"type": "string"}},
        "ports": {"type": "array", "items": {
            "type": "object", "required": ["containerPort"],
            "properties": {"containerPort": {"type": "integer", "minimum": 1, "maximum": 65535},
                           "name": PORT_REF["oneOf"][1]}}},
        "envFrom": {"type": "array", "items": {"type": "object", "properties": {
            "configMapRef": {"type": "object", "required": ["name"]},
            "secretRef": {"type": "object", "required": ["name"]}}}},
        "env": {"type": "array", "items": {
            "type": "object", "required": ["name"],
            "oneOf": [{"required": ["value"]}, {"required": ["valueFrom"]}],
            "properties": {
                "name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                "value": {"type": "string"},
                "valueFrom": {"type": "object", "properties": {
                    "secretKeyRef": {"type": "object", "required": ["name", "key"]},
                    "configMapKeyRef": {"type": "object", "required": ["name", "key"]}}}}}},
        "readinessProbe": PROBE,
        "livenessProbe": PROBE,
        "startupProbe": PROBE,
        "resources": {"type": "object", "required": ["requests", "limits"],
                      "properties": {"requests": RESOURCE_LIST, "limits": RESOURCE_LIST}},
        "volumeMounts": {"type": "array", "items": {"type": "object", "required": ["name", "mountPath"]}},
    },
}
DEPLOYMENT = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "apps/v1"},
        "kind": {"const": "Deployment"},
        "metadata": METADATA,
        "spec": {
            "type": "object",
            "required": ["selector", "template"],
            "properties": {
                "replicas": {"type": "integer", "minimum": 0},
                "strategy": {"type": "object", "properties": {"type": {"enum": ["RollingUpdate", "Recreate"]}}},
                "selector": {"type": "object", "required": ["matchLabels"],
                             "properties": {"matchLabels": LABEL_MAP}},
                "template": {
                    "type": "object",
                    "required": ["metadata", "spec"],
                    "properties": {
                        "metadata": {"type": "object", "required": ["labels"],
                                     "properties": {"labels": LABEL_MAP}},
                        "spec": {"type": "object", "required": ["containers"], "properties": {
                            "containers": {"type": "array", "minItems": 1, "items": CONTAINER},
                            "volumes": {"type": "array", "items": {"type": "object", "required": ["name"]}}}},
                    },
                },
            },
        },
    },
}
SERVICE = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "v1"},
        "kind": {"const": "Service"},
        "metadata": METADATA,
        "spec": {"type": "object", "required": ["selector", "ports"], "properties": {
            "type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
            "selector": LABEL_MAP,
            "ports": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["port", "targetPort"],
                "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535},
                               "targetPort": PORT_REF, "name": {"type": "string"}}}}}},
    },
}
HPA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "autoscaling/v2"},
        "kind": {"const": "HorizontalPodAutoscaler"},
        "metadata": METADATA,
        "spec": {"type": "object", "required": ["scaleTargetRef", "maxReplicas", "metrics"], "properties": {
            "scaleTargetRef": {"type": "object", "required": ["apiVersion", "kind", "name"]},
            "minReplicas": {"type": "integer", "minimum": 1},
            "maxReplicas": {"type": "integer", "minimum": 1},
            "metrics": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["type"],
                "properties": {"type": {"enum": ["Resource", "Pods", "Object", "External", "ContainerResource"]},
                               "resource": {"type": "object", "required": ["name", "target"], "properties": {
                                   "name": {"enum": ["cpu", "memory"]},
                                   "target": {"type": "object", "required": ["type"], "properties": {
                                       "type": {"enum": ["Utilization", "AverageValue", "Value"]},
                                       "averageUtilization": {"type": "integer", "minimum": 1,
                                                              "maximum": 100}}}}}}}}}},
    },
}
CONFIG_MAP_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "data"],
    "properties": {"metadata": METADATA, "data": {"type": "object", "additionalProperties": {"type": "string"}}},
}
SCHEMAS = {"Deployment": DEPLOYMENT, "Service": SERVICE, "HorizontalPodAutoscaler": HPA,
           "ConfigMap": CONFIG_MAP_SCHEMA, "Namespace": {"type": "object", "required": ["metadata"]}}


# --- loading ----------------------------------------------------------------------------------

def _manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.y*ml") if p.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    out = []
    for path in _manifest_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            doc["__file__"] = path.name
            out.append(doc)
    return out


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def _of(docs, kind) -> dict[str, dict]:
    found = {}
    for doc in docs:
        if doc["kind"] == kind:
            name = doc["metadata"]["name"]
            assert name not in found, f"two {kind}s named {name}"
            found[name] = doc
    return found


def _container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, deployment["metadata"]["name"]
    return containers[0]


def _quantity(value) -> float:
    value = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", value)
    assert match, value
    return float(match.group(1)) * units.get(match.group(2), 1)


def _strip(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "__file__"}


# --- every file, every document -----------------------------------------------------------------

def test_there_are_manifests_and_each_parses():
    files = _manifest_files()
    assert len(files) >= len(ROLES) + 1
    for path in files + [K8S / "kustomization.yaml"]:
        loaded = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        assert loaded, f"{path.name} is empty"
        for doc in loaded:
            assert isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc, path.name


def test_kinds_and_api_versions(docs):
    for doc in docs:
        assert doc["kind"] in API_VERSIONS, f"{doc['__file__']}: unexpected kind {doc['kind']}"
        assert doc["apiVersion"] == API_VERSIONS[doc["kind"]], f"{doc['__file__']}: {doc['kind']}"


def test_every_document_matches_its_schema(docs):
    for doc in docs:
        try:
            jsonschema.validate(_strip(doc), SCHEMAS[doc["kind"]])
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{doc['__file__']} {doc['kind']} {doc['metadata'].get('name')}: {exc.message} "
                        f"at {'/'.join(map(str, exc.absolute_path))}")


def test_no_secret_values_are_committed(docs):
    assert not [d for d in docs if d["kind"] == "Secret"], "the Secret is created outside the manifests"
    config = _of(docs, "ConfigMap")
    for cm in config.values():
        for key, value in cm["data"].items():
            assert not re.search(r"SECRET|PASSWORD|TOKEN", key), key
            assert not re.search(r"://[^/@\s]+:[^/@\s]+@", value), f"{key} carries credentials"
    for dep in _of(docs, "Deployment").values():
        for env in _container(dep).get("env", []):
            if env["name"] in SECRET_ENV or env["name"] in ("WEBHOOK_SECRET_KEY", "ASAN_RP_UUID", "PORTAL_SECRET"):
                assert "value" not in env, f"{dep['metadata']['name']}: {env['name']} written out"


# --- Deployments ---------------------------------------------------------------------------------

def test_every_service_of_the_table_runs_exactly_its_roles(docs):
    deployments = _of(docs, "Deployment")
    for name, roles in ROLES.items():
        found = sorted(key.removeprefix(f"{name}-") for key in deployments if key.startswith(f"{name}-"))
        assert found == sorted(roles), f"{name}: Kubernetes runs {found}, services.toml says {list(roles)}"
        # One file per service, holding all of it.
        assert {deployments[f"{name}-{role}"]["__file__"] for role in roles} == {f"{name}.yaml"}
    expected = {f"{name}-{role}" for name, roles in ROLES.items() for role in roles}
    assert set(deployments) - expected == {"gateway"}, "a service that is not in services.toml"
    assert "notifier-relay" not in deployments, "the notifier records no outbox events"
    for name, roles in ROLES.items():
        for role in roles:
            container = _container(deployments[f"{name}-{role}"])
            assert re.fullmatch(rf"egov/{name}(:[\w.-]+)?", container["image"]), container["image"]
            command = container["command"] + container.get("args", [])
            assert command[:5] == ["python", "-m", "egov_kit.run", f"{name}_service", role]
            if role == "api":
                assert command[5:] == ["--host", "0.0.0.0", "--port", "8000"]


def test_labels_match_selectors(docs):
    for name, dep in _of(docs, "Deployment").items():
        selector = dep["spec"]["selector"]["matchLabels"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
        # Selectors of different Deployments never overlap (a relay pod is not an api pod).
        for other_name, other in _of(docs, "Deployment").items():
            if other_name != name:
                other_labels = other["spec"]["template"]["metadata"]["labels"]
                assert not selector.items() <= other_labels.items(), f"{name} selects {other_name}'s pods"


def test_probes(docs):
    for name, dep in _of(docs, "Deployment").items():
        container = _container(dep)
        ready, live = container["readinessProbe"], container["livenessProbe"]
        port_names = {p.get("name") for p in container.get("ports", [])} | {
            p["containerPort"] for p in container.get("ports", [])}
        if name.endswith("-api"):
            assert ready["httpGet"]["path"] == "/readyz", name
            assert live["httpGet"]["path"] == "/healthz", name
            assert {ready["httpGet"]["port"], live["httpGet"]["port"]} <= port_names, name
            assert 8000 in port_names, name
        elif name == "gateway":
            assert ready["httpGet"]["path"] == live["httpGet"]["path"] == "/healthz"
            assert 8080 in port_names
        else:
            # Workers serve no HTTP: an exec probe, checking both MongoDB and RabbitMQ.
            for probe in (ready, live):
                script = " ".join(probe["exec"]["command"])
                assert "MONGO_URI" in script and "AMQP_URL" in script, name
        # Liveness is more patient than readiness: a dependency blip must not restart the pod.
        ready_window = ready.get("periodSeconds", 10) * ready.get("failureThreshold", 3)
        live_window = live.get("periodSeconds", 10) * live.get("failureThreshold", 3)
        assert live_window >= ready_window, name


def test_resources(docs):
    for name, dep in _of(docs, "Deployment").items():
        resources = _container(dep)["resources"]
        for kind in ("cpu", "memory"):
            request, limit = _quantity(resources["requests"][kind]), _quantity(resources["limits"][kind])
            assert 0 < request <= limit, f"{name}: {kind} request {request} > limit {limit}"


def test_env_from_the_config_map_and_the_secret(docs):
    config_maps = _of(docs, "ConfigMap")
    assert CONFIG_MAP in config_maps
    for name, dep in _of(docs, "Deployment").items():
        container = _container(dep)
        refs = [e["configMapRef"]["name"] for e in container.get("envFrom", []) if "configMapRef" in e]
        assert refs == [CONFIG_MAP], name
        if name == "gateway":
            continue  # the gateway needs no secret
        env = {e["name"]: e for e in container.get("env", [])}
        # The portal calls the API through the gateway with the person's token: no database, no
        # broker, no service credential.
        for var, key in SECRET_ENV.items() if not name.startswith("portal-") else ():
            ref = env[var]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": SECRET, "key": key}, f"{name}: {var}"
        if name.startswith("portal-"):
            assert not set(SECRET_ENV) & set(env), name
            assert env["GATEWAY_URL"]["value"] == "http://gateway:8080"
        for service, own in OWN_SECRET_ENV.items():
            for var, key in own.items():
                if name.startswith(f"{service}-"):
                    assert env[var]["valueFrom"]["secretKeyRef"] == {"name": SECRET, "key": key}, f"{name}: {var}"
                else:
                    assert var not in env, f"{name} holds {var}"


def test_config_map_points_services_at_existing_services(docs):
    data = _of(docs, "ConfigMap")[CONFIG_MAP]["data"]
    services = _of(docs, "Service")
    for name in ROLES:
        for var in (f"{name.upper()}_URL", f"{name.upper()}_URLS"):
            match = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", data[var])
            assert match, f"{var}={data[var]}"
            assert match.group(1) == name, f"{var} points at another service"
            service = services[match.group(1)]
            assert int(match.group(2)) in [p["port"] for p in service["spec"]["ports"]], var
    addressed = {key.rsplit("_", 1)[0].lower() for key in data if re.fullmatch(r"[A-Z]+_URLS?", key)}
    assert addressed <= set(ROLES), "an address of a service that is not in services.toml"
    for var in ("EVENTS_EXCHANGE", "SMTP_HOST", "SMTP_PORT", "PUBLIC_BASE_URL", "WEBHOOK_ALLOW_PRIVATE",
                "ASAN_PROVIDER_URL", "ASAN_RP_NAME", "AUTH_TRUSTED_CA_FILE"):
        assert data.get(var), var
    assert data["WEBHOOK_ALLOW_PRIVATE"] == "false"


def test_nothing_of_the_simulator_on_a_cluster(docs):
    """No simulator Deployment or Service, no switch for one, no route to one, and auth is pointed
    at a provider's address to fill in (its UUID a Secret's key), never at a simulator."""
    data = _of(docs, "ConfigMap")[CONFIG_MAP]["data"]
    assert "ASAN_SIM_ENABLED" not in data and "ASAN_SIM_URLS" not in data
    assert data["ASAN_PROVIDER_URL"].startswith("https://") and ".invalid/" in data["ASAN_PROVIDER_URL"]
    text = " ".join(p.read_text() for p in _manifest_files()).lower()
    assert "asan-sim" not in text and "asan_sim" not in text and "simulator" not in text
    for dep in _of(docs, "Deployment").values():
        env = {e["name"] for e in _container(dep).get("env", [])}
        assert not {"ASAN_SIM_ENABLED", "ASAN_SIM_URLS"} & env, dep["metadata"]["name"]


def test_auth_trusts_the_ca_bundle_of_a_config_map_only(docs):
    data = _of(docs, "ConfigMap")[CONFIG_MAP]["data"]
    mount_dir = data["AUTH_TRUSTED_CA_FILE"].rsplit("/", 1)[0]
    for role in ROLES["auth"]:
        dep = _of(docs, "Deployment")[f"auth-{role}"]
        mounts = {m["mountPath"]: m for m in _container(dep)["volumeMounts"]}
        volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
        assert mounts[mount_dir]["readOnly"] is True, role
        assert volumes[mounts[mount_dir]["name"]]["configMap"] == {"name": "egov-trust"}, role


def test_pods_run_as_the_images_non_root_user(docs):
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid = int(re.search(r"^USER (\d+)", dockerfile, re.M).group(1))
    for name, roles in ROLES.items():
        for role in roles:
            spec = _of(docs, "Deployment")[f"{name}-{role}"]["spec"]["template"]["spec"]
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["securityContext"]["runAsUser"] == uid
            assert _container({"spec": {"template": {"spec": spec}}})["securityContext"][
                "allowPrivilegeEscalation"] is False


def test_read_only_root_filesystems_have_a_writable_tmp(docs):
    for name, dep in _of(docs, "Deployment").items():
        spec = dep["spec"]["template"]["spec"]
        container = _container(dep)
        if container.get("securityContext", {}).get("readOnlyRootFilesystem"):
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in spec.get("volumes", [])}
            assert "/tmp" in mounts and "emptyDir" in volumes[mounts["/tmp"]], name


def test_relays_are_single(docs):
    deployments = _of(docs, "Deployment")
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in _of(docs, "HorizontalPodAutoscaler").values()}
    for name, roles in ROLES.items():
        if "relay" in roles:
            relay = deployments[f"{name}-relay"]
            assert relay["spec"]["replicas"] == 1
            assert relay["spec"]["strategy"]["type"] == "Recreate"
            assert f"{name}-relay" not in hpa_targets


# --- Services and autoscalers --------------------------------------------------------------------

def test_each_api_has_a_service_selecting_exactly_its_pods(docs):
    services, deployments = _of(docs, "Service"), _of(docs, "Deployment")
    for name in list(ROLES) + ["gateway"]:
        service = services[name]
        selected = [d for d in deployments.values()
                    if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        target = "gateway" if name == "gateway" else f"{name}-api"
        assert [d["metadata"]["name"] for d in selected] == [target], name
        container = _container(selected[0])
        ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports or port["targetPort"] in ports.values(), name
        if name != "gateway":
            assert [p["port"] for p in service["spec"]["ports"]] == [8000]


def test_hpas_target_existing_deployments(docs):
    deployments = _of(docs, "Deployment")
    hpas = _of(docs, "HorizontalPodAutoscaler")
    targets = set()
    for name, hpa in hpas.items():
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["apiVersion"] == "apps/v1" and ref["kind"] == "Deployment", name
        assert ref["name"] in deployments, f"{name} targets a missing Deployment {ref['name']}"
        assert hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"], name
        targets.add(ref["name"])
    expected = {f"{n}-{r}" for n, roles in ROLES.items() for r in roles if r in ("api", "consumer")}
    assert expected <= targets
    for target in targets:
        # An autoscaled Deployment leaves replicas to the autoscaler (apply would reset them).
        assert "replicas" not in deployments[target]["spec"], target
        assert "cpu" in _container(deployments[target])["resources"]["requests"], target


# --- kustomization -------------------------------------------------------------------------------

def test_kustomization_lists_every_file(kustomization, docs):
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources))
    assert set(resources) == {p.name for p in _manifest_files()}
    namespaces = _of(docs, "Namespace")
    assert kustomization["namespace"] in namespaces
    images = {_container(d)["image"].split(":")[0] for d in _of(docs, "Deployment").values()}
    assert images == {i["name"] for i in kustomization.get("images", [])}


def test_kubectl_kustomize_renders_everything(docs):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed; the checks above cover the manifests")
    result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert len(rendered) == len(docs)
    for doc in rendered:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "egov", doc["metadata"]["name"]
