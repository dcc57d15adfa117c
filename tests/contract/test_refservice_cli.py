"""The blocking entry point ``main(argv)`` that ``shotloop refservice`` is wired to."""
from __future__ import annotations

import io
import signal
import subprocess
import sys

import pytest
import requests

from shotloop.providers import runway_models
from shotloop_refservice.faults import FaultRule
from shotloop_refservice.server import config_from_args, main


def test_arguments_become_a_config():
    config = config_from_args([
        "--host", "127.0.0.1", "--port", "0", "--api-key", "studio-key", "--pending-s", "0.1",
        "--running-s", "0.2", "--concurrency", "3", "--daily-limit", "9", "--lax-version",
        "--custom-model", "acme_v2=gen4.5", "--cancelled-visible",
        "--fault", "status 503 times=2", "--fault", '{"kind": "drop", "path": "/v1/uploads"}',
    ])
    assert (config.api_key, config.pending_s, config.running_s) == ("studio-key", 0.1, 0.2)
    assert (config.concurrency, config.daily_limit, config.strict_version) == (3, 9, False)
    assert config.custom_models == {"acme_v2": "gen4.5"} and config.cancelled_visible
    assert config.faults == (FaultRule("status", status=503, times=2),
                             FaultRule("drop", path="/v1/uploads"))


def test_refuses_non_loopback_hosts_and_bad_arguments():
    err = io.StringIO()
    assert main(["--host", "0.0.0.0", "--port", "0"], out=io.StringIO(), err=err) == 2
    assert "loopback-only" in err.getvalue()
    assert main(["--custom-model", "nobase"], out=io.StringIO(), err=io.StringIO()) == 2
    assert main(["--fault", "explode"], out=io.StringIO(), err=io.StringIO()) == 2


def test_serves_until_terminated(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "shotloop_refservice.server", "--port", "0", "--api-key", "k1",
         "--work-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("reference service on http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[3]
        headers = {"Authorization": "Bearer k1", "X-Runway-Version": runway_models.API_VERSION}
        assert requests.get(url + "/v1/organization", headers=headers, timeout=10).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.parametrize("host", ["::1", "localhost"])
def test_other_loopback_spellings_are_accepted(host):
    if host == "::1" and not _has_ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    with RefService(ServiceConfig(host=host)) as service:
        assert requests.get(service.url + "/_mock/stats", timeout=10).status_code == 200


def _has_ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False
