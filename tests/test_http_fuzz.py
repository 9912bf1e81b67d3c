"""Schemathesis fuzzes every operation of the app's OpenAPI description: no 5xx.

schemathesis reads ``/openapi.json`` from the running `sgkg serve` and generates, for
each operation, a bounded number of requests that follow the description (positive)
and that break it (negative: wrong types, missing or extra parameters, odd bodies);
the one check is that no answer is a server error. (schemathesis' pytest plugin does
not run under this pytest version, so the operations are walked here, each with its
own Hypothesis run.)
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from conftest import RunningServer

#: Generated requests per operation and mode: enough to vary every parameter.
EXAMPLES = 20


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda m: m.value)
def test_no_generated_request_gets_a_server_error(
    server: RunningServer, mode: schemathesis.GenerationMode
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    calls = 0
    untestable: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests every run: a failure can be replayed
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            nonlocal calls
            response = case.call(base_url=server.url, timeout=30)
            calls += 1
            if response.status_code >= 500:
                failures.append(f"{response.status_code} for {case.as_curl_command()}")

        try:
            call()
        except Unsatisfiable:  # negative mode: an operation with nothing to break
            untestable.append(operation.label)
    print(
        f"\n{mode.value}: {calls} generated requests, {len(failures)} server errors; "
        f"nothing to generate for {untestable}"
    )
    assert calls > 50
    assert not failures, "\n".join(failures[:10])
