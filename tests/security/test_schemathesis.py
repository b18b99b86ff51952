"""A bounded, seeded schemathesis run against each running service's OpenAPI document, through the
gateway: for every operation its examples, the coverage phase's boundary and invalid values, and
fuzzed data, positive and negative, sent with the token of the caller the operation declares (a
person — the employee, who holds company A's contract and a certificate —, the head acting for
company A, staff, or a service), with path parameters filled from the world of company A.

Nothing may answer a server error, nor anything outside its document: status, content type,
schema, headers; invalid data must be refused; a method the path does not take is a 405 with
`Allow`; an operation that needs a token refuses a request without one.

SCHEMATHESIS_SEED picks another seed (a failure names the operation and prints the request that
reproduces it); SCHEMATHESIS_CASES the budget of fuzzed cases per service."""
from __future__ import annotations

import copy
import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi.checks import (allow_header_conformance, content_type_conformance,
                                               missing_required_header, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance, unsupported_method)

from devtools.suite import available_services

from security_support import ENDS_THE_SESSION, Persona, login, token_of

SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20261130"))
CASES_PER_SERVICE = int(os.environ.get("SCHEMATHESIS_CASES", "300"))


def unsupported_method_but_trace(ctx, response, case):
    """nginx answers TRACE itself, before any route: a problem with one `Allow` for the whole API
    (test_gateway_limits), not the per-path one schemathesis expects."""
    if response.request.method == "TRACE":
        return None
    return unsupported_method(ctx, response, case)


# Whether a token is required is proven by the authorisation matrix and the forgeries (schemathesis's
# ignored_auth cannot tell a configured token from a generated one).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, unsupported_method_but_trace,
          allow_header_conformance, missing_required_header]
# Who calls an operation, by its declared caller (x-egov-caller; an any_of: its first).
CALLER_PERSONA = {"logged-in": "employee", "person": "employee", "staff": "staff"}


def persona_for(declaration, world):
    if isinstance(declaration, dict):
        declaration = declaration["any_of"][0]
    if declaration == "public":
        return world.personas["anonymous"]
    if declaration.startswith("company:"):
        return world.personas["head"]
    if declaration.startswith("service:"):
        names = declaration.split(":", 1)[1]
        client = "notifier" if names == "*" else names.split("|")[0]
        return world.personas.get(f"service:{client}") or Persona(f"service:{client}", "service", service=client)
    return world.personas[CALLER_PERSONA[declaration]]


def caller(answers: Counter):
    def call(case):
        response = case.call()
        if response.status_code == 414:
            # The gateway's own limit on the request line, answered before any service (its shape:
            # test_gateway_limits); the services never see such a request.
            answers["414 from the gateway"] += 1
            return
        case.validate_response(response, checks=CHECKS)
        answers[response.status_code // 100] += 1
    return call


@pytest.mark.parametrize("service", available_services())
def test_answers_stay_within_the_document(service, suite, openapi_documents, world, service_tokens):
    schema = schemathesis.openapi.from_dict(copy.deepcopy(openapi_documents[service]))
    schema.config.update(base_url=suite.gateway_url, parameters={
        f"path.{name}": value for name, (value, _company) in world.path_values().items()})
    schema.config.seed = SEED
    operations = [result.ok() for result in schema.get_all_operations()]
    per_operation = max(5, CASES_PER_SERVICE // len(operations))
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=per_operation, with_security_parameters=False)
    answers: Counter = Counter()
    failures = []
    callers = {operation.label: persona_for(operation.definition.raw["x-egov-caller"], world)
               for operation in operations}
    # An operation that ends the session gets one of its own, logged in before anything is fuzzed.
    tokens = {operation.label: login(suite, callers[operation.label]).token if (
        operation.method.lower(), operation.path) in ENDS_THE_SESSION else
        token_of(callers[operation.label], service, service_tokens) for operation in operations}
    for operation in operations:
        persona, token = callers[operation.label], tokens[operation.label]
        # As configured headers, the token is sent as it is: never dropped or mangled as "negative" data.
        schema.config.update(headers={"Authorization": f"Bearer {token}"} if token else {})
        test = build_operation_test(config=schema.config, operation=operation, test_func=caller(answers),
                                    given_kwargs={}, feedback=FeedbackSources())
        test = hypothesis.settings(test._hypothesis_internal_use_settings, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck))(test)
        try:
            test()
        except hypothesis.errors.Unsatisfiable:
            pass  # nothing to make invalid (no parameters, no body)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation is tried
            message = getattr(exc, "message", None) or str(exc)
            failures.append(f"== {operation.label} (as {persona.name}, seed {SEED})\n{message.strip()}")
    assert failures == [], "\n\n".join(failures)
    # The run did reach the service, and not only to be refused.
    assert answers[2] + answers[4] >= 100 and answers[2] > 0 and answers[4] > 0, answers
