"""docker-compose.yml, the services' one Dockerfile and their requirements: valid, complete, and
held to the table of services (kit/egov_kit/services.toml): each service with exactly its roles.

`docker-compose config` (Debian's docker-compose package) validates the file without an engine;
the rest reads the files with PyYAML."""
from __future__ import annotations

import fnmatch
import importlib.machinery
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from egov_kit.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ROLES = {name: entry.roles for name, entry in SERVICES.items()}
# The services of the API: a database, the broker, the shared environment. The portal (mounted at
# `/`) calls the API through the gateway with the person's token and holds none of that.
API_ROLES = {name: entry.roles for name, entry in SERVICES.items() if entry.has_api}

PDF_SERVICES = ("accidents", "certificates", "contracts")
PDF_PINS = ("fpdf2==2.8.9", "segno==1.6.6", "pyHanko==0.38.0")
# Dummy values for the variables the file requires; never real secrets.
REQUIRED_ENV = {"SERVICE_CLIENT_SECRET": "test-only-secret", "RABBITMQ_PASSWORD": "test-only-password",
                "WEBHOOK_SECRET_KEY": "test-only-webhook-key", "PORTAL_SECRET": "test-only-portal-key"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("the `docker-compose` command is missing: run `apt-get install docker-compose` "
                    "(`make test` installs it)")
    return binary


def _compose_config(extra_env: dict, drop: tuple = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_") and k not in drop}
    env.update(extra_env)
    for name in drop:
        env.pop(name, None)
    # An empty --env-file: a developer's own .env must not decide the result.
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.env"
        empty.write_text("")
        return subprocess.run([_compose_binary(), "--env-file", str(empty), "-f", str(COMPOSE), "config"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _env(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def _depends(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    return {name: {} for name in deps} if isinstance(deps, list) else deps


def _dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        lines.append(current)
        current = ""
    out = []
    for line in lines:
        instruction, _, args = line.partition(" ")
        out.append((instruction.upper(), args.strip()))
    return out


# --- the file as docker-compose sees it ---------------------------------------------------

def test_docker_compose_config_accepts_the_file():
    result = _compose_config(REQUIRED_ENV)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    expected = {f"{name}-{role}" for name, roles in ROLES.items() for role in roles}
    assert set(rendered["services"]) == expected | {"mongo", "rabbitmq", "mailpit", "gateway", "asan-sim"}
    # The simulator is in the profile `demo` only; everything else runs without a profile.
    assert [n for n, svc in rendered["services"].items() if svc.get("profiles")] == ["asan-sim"]
    assert rendered["services"]["asan-sim"]["profiles"] == ["demo"]
    # The shared blocks (YAML anchors / merge keys) really reached every role, and the build
    # argument survived them.
    for name in expected:
        assert rendered["services"][name]["build"]["args"] == {"SERVICE": name.rsplit("-", 1)[0]}, name
        env = rendered["services"][name]["environment"]
        # The key of the portal's session cookie reaches the portal and nothing else.
        assert ("PORTAL_SECRET" in env) == name.startswith("portal-"), name
        if name.startswith("portal-"):
            assert env["PORTAL_SECRET"] == REQUIRED_ENV["PORTAL_SECRET"]
            assert not {"SERVICE_CLIENT_SECRET", "AMQP_URL", "MONGO_URI", "WEBHOOK_SECRET_KEY"} & set(env), name
            continue
        assert env["SERVICE_CLIENT_SECRET"] == REQUIRED_ENV["SERVICE_CLIENT_SECRET"], name
        assert REQUIRED_ENV["RABBITMQ_PASSWORD"] in env["AMQP_URL"], name
        # The key to webhook secrets reaches the notifier and nothing else.
        if name.startswith("notifier-"):
            assert env["WEBHOOK_SECRET_KEY"] == REQUIRED_ENV["WEBHOOK_SECRET_KEY"], name
        else:
            assert "WEBHOOK_SECRET_KEY" not in env, name


@pytest.mark.parametrize("missing", sorted(REQUIRED_ENV))
def test_secrets_must_come_from_the_environment(missing):
    others = {k: v for k, v in REQUIRED_ENV.items() if k != missing}
    result = _compose_config(others, drop=(missing,))
    assert result.returncode != 0, f"compose accepted a missing {missing}: a default secret is committed"
    assert missing in result.stderr


def test_no_secret_value_is_written_in_the_file(services):
    for name, service in services.items():
        for key, value in _env(service).items():
            if re.search(r"SECRET|PASSWORD|PASS$", key):
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), f"{name}: {key} is not ${{VAR:?...}}"
            if key == "ASAN_RP_UUID":
                # Needed only with a provider: no value here, and auth refuses to start with a
                # provider URL and an empty one (tests/deploy/test_secrets_at_start.py).
                assert value == "${ASAN_RP_UUID:-}", f"{name}: {key}"
        if "AMQP_URL" in _env(service):
            assert re.search(r":\$\{RABBITMQ_PASSWORD:\?[^}]+\}@", _env(service)["AMQP_URL"]), name


# --- the suite's services --------------------------------------------------------------------

def test_every_service_of_the_table_runs_exactly_its_roles(services):
    runs = {name: svc for name, svc in services.items() if "egov_kit.run" in (svc.get("command") or [])}
    for name, roles in ROLES.items():
        found = sorted(key.removeprefix(f"{name}-") for key in runs if key.startswith(f"{name}-"))
        assert found == sorted(roles), f"{name}: compose runs {found}, services.toml says {list(roles)}"
    expected = {f"{name}-{role}" for name, roles in ROLES.items() for role in roles}
    assert set(runs) == expected, "a service that is not in services.toml"


def test_the_notifier_has_no_relay(services):
    """It records no outbox events: a relay would poll its database for nothing."""
    assert "relay" not in ROLES["notifier"]
    assert "notifier-relay" not in services


@pytest.mark.parametrize("name", sorted(ROLES))
def test_roles_run_their_own_package_from_their_own_image(services, name):
    images = set()
    for role in ROLES[name]:
        svc = services[f"{name}-{role}"]
        assert svc["build"] == {"context": ".", "dockerfile": "Dockerfile", "args": {"SERVICE": name}}
        images.add(svc["image"])
        command = [str(part) for part in svc["command"]]
        assert command[:5] == ["python", "-m", "egov_kit.run", f"{name}_service", role]
        if role == "api":
            assert command[5:] == ["--host", "0.0.0.0", "--port", "8000"]
        else:
            assert command[5:] == []
    assert images == {f"egov/{name}:${{EGOV_TAG:-local}}"}, "one image per service, shared by its roles"


def test_the_package_a_command_names_exists(services):
    assert (ROOT / "kit" / "egov_kit" / "run.py").is_file()
    for key, svc in services.items():
        command = [str(part) for part in svc.get("command") or []]
        if "egov_kit.run" not in command:
            continue
        package = command[command.index("egov_kit.run") + 1]
        match = re.fullmatch(r"([a-z]+)_service", package)
        assert match and match.group(1) in ROLES, f"{key}: {package}"
        # The image of SERVICE=<name> puts services/<name> on the path, so the package resolves.
        assert svc["build"]["args"]["SERVICE"] == match.group(1), key
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"PYTHONPATH=/app/services/\$\{SERVICE\}", dockerfile)
    assert re.search(r"^COPY services/\$\{SERVICE\}/ services/\$\{SERVICE\}/$", dockerfile, re.M)


@pytest.mark.parametrize("name", sorted(ROLES))
def test_the_package_is_in_the_tree(name):
    """The suite grows one service at a time; each package is checked once it is there."""
    package = ROOT / "services" / name / f"{name}_service"
    if not package.is_dir():
        pytest.skip(f"services/{name}/{name}_service is not written yet")
    spec = importlib.machinery.PathFinder.find_spec(f"{name}_service", [str(package.parent)])
    assert spec is not None and spec.submodule_search_locations, f"{name}_service is not a package"


def test_every_role_gets_the_shared_environment(services):
    for name, roles in API_ROLES.items():
        for role in roles:
            key = f"{name}-{role}"
            env = _env(services[key])
            assert env["MONGO_URI"] == "mongodb://mongo:27017/?replicaSet=rs0", key
            assert re.fullmatch(r"amqp://[^@]+@rabbitmq:5672/%2F", env["AMQP_URL"]), key
            assert env["EVENTS_EXCHANGE"] == "egov.events", key
            assert env["SMTP_HOST"] == "mailpit" and str(env["SMTP_PORT"]) == "1025", key
            for key_name in ("PUBLIC_BASE_URL", "WEBHOOK_ALLOW_PRIVATE", "SERVICE_CLIENT_SECRET"):
                assert key_name in env, f"{key}: {key_name}"
            assert "ASAN_SIM_ENABLED" not in env, key
            # The provider's credential reaches auth and nothing else.
            assert ("ASAN_RP_UUID" in env) == (name == "auth"), key
            if name == "auth":
                assert env["ASAN_PROVIDER_URL"] == "${ASAN_PROVIDER_URL:-}", "auth points at no provider by default"
                assert env["AUTH_TRUSTED_CA_FILE"].startswith("${AUTH_TRUSTED_CA_FILE:-/etc/egov/trust/")
                assert "trust:/etc/egov/trust:ro" in services[key]["volumes"], key
            for other in API_ROLES:
                url = env[f"{other.upper()}_URL"]
                assert url == f"http://{other}-api:8000", key
                assert f"{other}-api" in services


def test_the_portal_reaches_the_api_through_the_gateway_and_holds_only_its_own_key(services):
    env = _env(services["portal-api"])
    assert env["GATEWAY_URL"] == "http://gateway:8080"
    assert re.fullmatch(r"\$\{PORTAL_SECRET:\?[^}]+\}", env["PORTAL_SECRET"])
    assert not {"SERVICE_CLIENT_SECRET", "AMQP_URL", "MONGO_URI"} & set(env)
    # It needs neither a database nor the broker to start.
    assert not _depends(services["portal-api"])


def test_roles_wait_for_healthy_infrastructure(services):
    for name, roles in API_ROLES.items():
        for role in roles:
            deps = _depends(services[f"{name}-{role}"])
            for infra in ("mongo", "rabbitmq"):
                assert deps.get(infra, {}).get("condition") == "service_healthy", f"{name}-{role} -> {infra}"
    for infra in ("mongo", "rabbitmq", "mailpit"):
        assert services[infra]["healthcheck"]["test"], infra


def test_api_roles_have_an_http_healthcheck_and_workers_none(services):
    for name, roles in ROLES.items():
        for role in roles:
            check = services[f"{name}-{role}"]["healthcheck"]
            if role == "api":
                assert "http://127.0.0.1:8000/healthz" in " ".join(check["test"]), name
                assert "8000" in [str(p) for p in services[f"{name}-api"].get("expose", [])]
            else:
                assert check.get("disable") is True, f"{name}-{role}: the image's /healthz check would fail"


# --- the Asan İmza simulator: the demo profile only ----------------------------------------

def _demo_config(env_file: Path, extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "ASAN_", "AUTH_"))}
    env.update(extra_env)
    return subprocess.run([_compose_binary(), "--env-file", str(env_file), "-f", str(COMPOSE), "config"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_simulator_runs_only_in_the_demo_profile_from_an_image_of_its_own(services):
    sim = services["asan-sim"]
    assert sim["profiles"] == ["demo"]
    assert sim["build"] == {"context": ".", "dockerfile": "simulator/Dockerfile"}
    assert sim["image"] == "egov/asan-sim:${EGOV_TAG:-local}"
    assert _env(sim)["ASAN_RP_UUID"] == "${ASAN_RP_UUID:-}"  # no default: it does not start without one
    # Nothing outside the profile depends on it, and nobody is pointed at it by default.
    for name, service in services.items():
        assert "asan-sim" not in _depends(service), name
        for key, value in _env(service).items():
            if name != "asan-sim":
                assert "asan-sim" not in str(value), f"{name}: {key}"
    assert _env(services["gateway"])["ASAN_SIM_URLS"] == "${ASAN_SIM_URLS:-}"  # no route unless named


def test_only_the_demo_example_env_points_auth_at_the_simulator(tmp_path):
    secrets = {"SERVICE_CLIENT_SECRET": "test-only", "WEBHOOK_SECRET_KEY": "test-only", "RABBITMQ_PASSWORD": "x",
               "PORTAL_SECRET": "test-only",
               "ASAN_RP_UUID": "00000000-0000-4000-8000-000000000000"}
    demo = _demo_config(ROOT / "deploy" / "compose.demo.env.example", secrets)
    assert demo.returncode == 0, demo.stderr
    rendered = yaml.safe_load(demo.stdout)["services"]
    auth = rendered["auth-api"]["environment"]
    assert auth["ASAN_PROVIDER_URL"] == "http://asan-sim:8000/asan-api"
    assert auth["AUTH_TRUSTED_CA_FILE"] == "/etc/egov/trust/asan-sim-ca.pem"
    assert rendered["asan-sim"]["environment"]["ASAN_SIM_CA_EXPORT_FILE"] == auth["AUTH_TRUSTED_CA_FILE"].replace(
        "/etc/egov/trust", "/trust")
    assert rendered["asan-sim"]["environment"]["ASAN_RP_UUID"] == auth["ASAN_RP_UUID"] == secrets["ASAN_RP_UUID"]
    assert rendered["gateway"]["environment"]["ASAN_SIM_URLS"] == "http://asan-sim:8000"
    assert "COMPOSE_PROFILES=demo" in (ROOT / "deploy" / "compose.demo.env.example").read_text().splitlines()

    plain = _demo_config(ROOT / "deploy" / "compose.env.example", secrets)
    assert plain.returncode == 0, plain.stderr
    rendered = yaml.safe_load(plain.stdout)["services"]
    assert "asan-sim" not in rendered["auth-api"]["environment"]["ASAN_PROVIDER_URL"]
    assert not rendered["gateway"]["environment"].get("ASAN_SIM_URLS")
    assert "COMPOSE_PROFILES" not in (ROOT / "deploy" / "compose.env.example").read_text()


def test_the_simulators_dockerfile():
    instructions = _dockerfile_instructions(ROOT / "simulator" / "Dockerfile")
    args = _instructions_by_kind(instructions)
    assert args["FROM"] == ["python:3.11-slim"]
    for source, *_ in (a.split() for a in args["COPY"]):
        assert source.startswith(("kit/", "simulator/")), source
    assert "simulator/tests/" not in " ".join(args["COPY"])
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", args["USER"][-1])
    assert json.loads(args["CMD"][-1]) == ["python", "-m", "asan_sim", "--host", "0.0.0.0", "--port", "8000"]
    assert args["EXPOSE"] == ["8000"]
    lines = [line.strip() for line in (ROOT / "simulator" / "requirements.txt").read_text().splitlines()]
    assert "-r ../kit/requirements.txt" in lines
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line) for line in lines
               if line and not line.startswith(("#", "-r ")))


# --- infrastructure ------------------------------------------------------------------------

def test_mongo_is_a_single_node_replica_set(compose, services):
    mongo = services["mongo"]
    assert mongo["image"].startswith("mongo:7")
    command = [str(c) for c in mongo["command"]]
    assert command[command.index("--replSet") + 1] == "rs0"
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate(" in check and "'rs0'" in check and "mongo:27017" in check
    assert "rs.status()" in check, "initiate only when the set is not initiated yet"
    assert "$" not in check.replace("$$", ""), "a bare $ would be interpolated by compose"
    volume = next(v for v in mongo["volumes"] if v.endswith(":/data/db"))
    assert volume.split(":")[0] in compose["volumes"]


def test_rabbitmq_and_mail_catcher(compose, services):
    rabbit = services["rabbitmq"]
    assert rabbit["image"] == "rabbitmq:3.13-management"
    assert rabbit.get("hostname") == "rabbitmq", "the node's data directory follows its host name"
    volume = next(v for v in rabbit["volumes"] if v.endswith(":/var/lib/rabbitmq"))
    assert volume.split(":")[0] in compose["volumes"]
    assert _env(rabbit)["RABBITMQ_DEFAULT_PASS"].startswith("${RABBITMQ_PASSWORD:?")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    for published in rabbit.get("ports", []) + services["mailpit"].get("ports", []):
        assert str(published).startswith("127.0.0.1:"), "management UIs stay on the host's loopback"


def test_gateway(services):
    gateway = services["gateway"]
    assert gateway["build"] == {"context": ".", "dockerfile": "gateway/Dockerfile"}
    assert "${GATEWAY_PORT:-8080}:8080" in gateway["ports"]
    env = _env(gateway)
    assert env["GATEWAY_HOST"] == "0.0.0.0" and str(env["GATEWAY_PORT"]) == "8080"
    for name in ROLES:
        assert env[f"{name.upper()}_URLS"] == f"http://{name}-api:8000"
        assert _depends(gateway)[f"{name}-api"]["condition"] == "service_healthy"


# --- Dockerfiles -----------------------------------------------------------------------------

def test_every_referenced_dockerfile_exists(services):
    for name, svc in services.items():
        build = svc.get("build")
        if build is None:
            continue
        path = ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
        assert path.is_file(), f"{name}: {path} is missing"


def _instructions_by_kind(instructions) -> dict[str, list[str]]:
    return {kind: [a for k, a in instructions if k == kind] for kind, _ in instructions}


def test_one_dockerfile_for_every_service():
    assert DOCKERFILE.is_file()
    assert not sorted(ROOT.glob("services/*/Dockerfile")), "services are built from the root Dockerfile"


def test_the_services_dockerfile():
    instructions = _dockerfile_instructions(DOCKERFILE)
    kinds = [kind for kind, _ in instructions]
    args = _instructions_by_kind(instructions)

    assert args["FROM"] == ["python:3.11-slim"]
    # SERVICE is a build argument of the stage, kept in the environment for the CMD.
    assert "SERVICE" in args["ARG"]
    assert kinds.index("ARG") > kinds.index("FROM"), "an ARG before FROM is not seen by the stage"
    env = " ".join(args["ENV"])
    assert "SERVICE=${SERVICE}" in env.split()
    assert "PYTHONPATH=/app/services/${SERVICE}" in env.split()
    runs = " ".join(args["RUN"])
    # PDFs in Azerbaijani need a Unicode font; installed before the argument, so the layer is
    # built once and shared by every service's image.
    fonts = next(n for n, (k, a) in enumerate(instructions) if k == "RUN" and "fonts-dejavu-core" in a)
    assert fonts < kinds.index("ARG")
    # Copies only the kit and this service.
    copies = [a.split() for a in args["COPY"]]
    assert ["kit/", "kit/"] in copies
    assert ["services/${SERVICE}/", "services/${SERVICE}/"] in copies
    for source, *_ in copies:
        assert source.startswith(("kit/", "services/${SERVICE}/")), source
    # Pinned requirements first, so code changes keep that layer; they include
    # ../../kit/requirements.txt, which must be in place before.
    position = {tuple(a.split()): n for n, (k, a) in enumerate(instructions) if k == "COPY"}
    pip_requirements = next(n for n, (k, a) in enumerate(instructions)
                            if k == "RUN" and "pip install --no-cache-dir -r services/${SERVICE}/requirements.txt" in a)
    assert position[("kit/requirements.txt", "kit/requirements.txt")] < pip_requirements
    assert position[("services/${SERVICE}/requirements.txt", "services/${SERVICE}/requirements.txt")] < pip_requirements
    assert pip_requirements < position[("kit/", "kit/")] < position[("services/${SERVICE}/", "services/${SERVICE}/")]
    assert re.search(r"pip install --no-cache-dir (--no-deps )?\./kit", runs)
    # Non-root, numeric (so Kubernetes' runAsNonRoot can check it).
    user = args["USER"][-1]
    assert kinds.index("USER") > max(n for n, kind in enumerate(kinds) if kind == "RUN")
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), user
    assert args["EXPOSE"] == ["8000"]
    assert "http://127.0.0.1:8000/healthz" in args["HEALTHCHECK"][0]


def test_the_images_command_runs_the_api_of_its_service(tmp_path):
    """Runs the CMD as docker would, with a stand-in `python` printing its arguments: the service's
    package is named (an exec-form CMD would pass "${SERVICE}" through unexpanded), and python
    replaces the shell, so the stop signal reaches it."""
    cmd = _instructions_by_kind(_dockerfile_instructions(DOCKERFILE))["CMD"][-1]
    argv = json.loads(cmd) if cmd.startswith("[") else ["/bin/sh", "-c", cmd]
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "$PPID"\nprintf "%s\\n" "$@"\n')
    python.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "SERVICE": "certificates"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    parent, *arguments = result.stdout.splitlines()
    assert arguments == ["-m", "egov_kit.run", "certificates_service", "api", "--host", "0.0.0.0", "--port", "8000"]
    assert int(parent) == os.getpid(), "a shell stays between docker and python: use `exec`"


# --- requirements and build context ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ROLES))
def test_requirements_include_the_kit(name):
    lines = [line.strip() for line in (ROOT / "services" / name / "requirements.txt").read_text().splitlines()]
    assert "-r ../../kit/requirements.txt" in lines
    assert (ROOT / "services" / name / "../../kit/requirements.txt").resolve().is_file()
    for line in lines:
        if line and not line.startswith(("#", "-r ")):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), f"{name}: unpinned {line!r}"
    if name in PDF_SERVICES:
        for pin in PDF_PINS:
            assert pin in lines, f"{name}: {pin}"


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` out of the context: a pattern matching the path or one of
    its parent directories excludes it (fnmatch's `*` also crosses `/`, so this errs on `ignored`)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, pattern.rstrip("/").replace("**/", "*"))
               for pattern in patterns for prefix in prefixes)


def test_dockerignore_keeps_the_context_small_and_clean():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert not [p for p in patterns if p.startswith("!")], "keep it a plain list of exclusions"
    for needed in (".git", ".venv", "var/", ".env"):
        assert needed in patterns, needed
    # What the images copy reaches the context ...
    copied = ["kit/requirements.txt", "kit/pyproject.toml", "kit/egov_kit/__init__.py", "kit/egov_kit/services.toml",
              "gateway/render.py", "gateway/nginx.conf.j2", "services/portal/portal_service/static/portal.css",
              "services/portal/portal_service/templates/base.html"]
    for name in ROLES:
        copied += [f"services/{name}/requirements.txt", f"services/{name}/{name}_service/__init__.py"]
    copied += ["simulator/requirements.txt", "simulator/asan_sim/__init__.py",
               "simulator/asan_sim/data/identities.json"]
    assert [path for path in copied if _ignored(path, patterns)] == []
    # ... and tests, local data and secrets do not.
    for kept_out in ("kit/tests/test_bus.py", "services/auth/tests/conftest.py", "gateway/tests/conftest.py",
                     "var/mongo/data", ".env", ".env.production", "tests/deploy/test_compose.py",
                     "simulator/tests/conftest.py", "var/asan-sim/private/ca-key.pem", "var/secrets/asan_rp_uuid"):
        assert _ignored(kept_out, patterns), kept_out
