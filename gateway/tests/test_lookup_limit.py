"""The public look-up of an insurer's account number has a per-client limit of its own in the
gateway (GATEWAY_LOOKUP_RATE, GATEWAY_LOOKUP_BURST), beside the limit on every request: past it a
client gets the gateway's 429 problem with the wait of that limit, while its other requests and
other clients carry on."""
from __future__ import annotations

import pytest
import requests
from requests.adapters import HTTPAdapter

from gateway_support import gw_render

LOOKUP = "/api/insurers/account-numbers/1701100451"


class _From(HTTPAdapter):
    """Connects from a given loopback address: another client, as far as the gateway can tell."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def client(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", _From(address))
    return session


def test_lookups_beyond_the_clients_own_limit_are_a_429_problem(start_gateway, upstreams):
    # One look-up a minute and a burst of two: the fourth within the minute is refused, whatever
    # the machine's speed.
    gw = start_gateway({"INSURERS_URLS": upstreams["insurers"].url, "GATEWAY_LOOKUP_RATE": "1r/m",
                        "GATEWAY_LOOKUP_BURST": "2"})
    first = client("127.0.0.2")
    answers = [first.get(gw.url + LOOKUP) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = answers[3]
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert refused.json()["status"] == 429 and refused.json()["title"] == "Həddindən artıq sorğu"
    assert refused.headers["Retry-After"] == "60" and refused.headers["X-Request-ID"]
    assert answers[0].json()["path"] == LOOKUP  # the look-up reached the insurers service as it was
    # The same client's other requests to the service are not counted against the look-up's limit.
    assert all(first.get(gw.url + "/api/insurers/applications").status_code == 200 for _ in range(5))
    # Another client has a limit of its own.
    assert client("127.0.0.3").get(gw.url + LOOKUP).status_code == 200
    assert first.get(gw.url + LOOKUP).status_code == 429


def test_the_limit_is_configured_and_checked(tmp_path):
    text = gw_render.render({"runtime_dir": str(tmp_path)})
    assert "zone=gw_insurer_lookup:10m rate=5r/s" in text
    assert "zone=gw_insurer_lookup burst=10 nodelay" in text
    text = gw_render.render({"runtime_dir": str(tmp_path), "lookup_rate": "30r/m", "lookup_burst": "0"})
    assert "rate=30r/m" in text and "zone=gw_insurer_lookup burst=0 nodelay" in text
    for bad in ({"lookup_rate": "fast"}, {"lookup_rate": "0"}, {"lookup_burst": "-1"}, {"lookup_burst": "x"}):
        with pytest.raises(gw_render.ConfigError):
            gw_render.render({"runtime_dir": str(tmp_path), **bad})
