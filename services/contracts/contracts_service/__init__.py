"""Contracts service: employment contract notices (entered, signed with Asan İmza, terminated),
the authorities to enter them, and employees' access to their own notices."""
from __future__ import annotations

from egov_kit.app import create_service_app
from egov_kit.config import load_settings
from egov_kit.service import ServiceSpec

from .repository import OUTBOX_COLLECTIONS


def create_app(config_overrides: dict | None = None):
    settings = load_settings("contracts", **(config_overrides or {}))
    app, api = create_service_app(settings, title="Contracts (employment contract notices)")
    from egov_kit.errors import problem_response

    from . import repository
    from .domain import DomainError
    from .gateways import Registry, Signatures, Unavailable
    from .routes import blp, domain_problem, unavailable_problem

    kit = app.extensions["egov"]
    app.extensions["contracts"] = {"registry": Registry(kit.client), "signatures": Signatures(kit.client)}
    api.register_blueprint(blp)

    def _respond(problem):
        return problem_response(problem.status, detail=problem.detail, errors=problem.errors, code=problem.code,
                                headers=problem.headers, extra=problem.extra)

    app.register_error_handler(DomainError, lambda exc: _respond(domain_problem(exc)))
    app.register_error_handler(Unavailable, lambda exc: _respond(unavailable_problem(exc)))
    repository.ensure_indexes(kit.db)
    return app


SERVICE = ServiceSpec(name="contracts", create_app=create_app, outbox_collections=OUTBOX_COLLECTIONS)
