# syntax=docker/dockerfile:1
# The one image of every service; the build argument SERVICE (a name of kit/egov_kit/services.toml)
# chooses which. Build from the repository root:
#   docker build --build-arg SERVICE=auth -t egov/auth .
# Its roles are chosen by the command (compose and Kubernetes run those of services.toml):
#   python -m egov_kit.run <SERVICE>_service api --host 0.0.0.0 --port 8000   (default)
#   python -m egov_kit.run <SERVICE>_service relay
#   python -m egov_kit.run <SERVICE>_service consumer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# DejaVu fonts: PDF text in Azerbaijani (ə, ğ, ş, ı...) needs a Unicode TrueType font. In every
# service's image, so that this layer and the user below are built once and shared by all.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 egov \
 && useradd --system --uid 10001 --gid egov --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin egov

# Declared only now: a build argument invalidates the cache of every RUN after it.
ARG SERVICE
# Kept in the environment: the CMD below names the package at run time.
ENV SERVICE=${SERVICE} \
    PYTHONPATH=/app/services/${SERVICE}
RUN : "${SERVICE:?build with --build-arg SERVICE=<name>, a service of kit/egov_kit/services.toml}"

WORKDIR /app

# Pinned dependencies first (their layer survives code changes), then the kit, then the service.
# The service's requirements include ../../kit/requirements.txt, so that file goes in first.
COPY kit/requirements.txt kit/requirements.txt
COPY services/${SERVICE}/requirements.txt services/${SERVICE}/requirements.txt
RUN pip install --no-cache-dir -r services/${SERVICE}/requirements.txt

COPY kit/ kit/
RUN pip install --no-cache-dir --no-deps ./kit

COPY services/${SERVICE}/ services/${SERVICE}/

USER 10001:10001
EXPOSE 8000

# Meaningful for the api role only; compose turns it off for the other roles.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# An exec-form CMD expands no variables: a shell expands $SERVICE, then `exec` hands PID 1 (and the
# stop signal) to python.
CMD ["/bin/sh", "-c", "exec python -m egov_kit.run \"${SERVICE}_service\" api --host 0.0.0.0 --port 8000"]
