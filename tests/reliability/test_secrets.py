"""Secrets and access: a full batch with a recognisable fake key, then every file and text
the run produced is scanned for it; the agent listens on loopback only, refuses requests
without its token, keeps the token user-only; TLS verification stays on."""
from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import opentimelineio as otio
import pytest
import requests

from ops.campaign.agents import AgentProcess, settings_toml
from ops.campaign.audit import audit_jobs, scan_for
from shotloop.client import TOKEN_HEADER
from shotloop.edit.review import write_review
from shotloop.errors import DownloadFailed, ProviderUnavailable
from shotloop.model import JobState

from .helpers import job_request, make_shot, read_line, send_all, shot_like, wait_settled

FAKE_KEY = "key_" + "c0ffee5ec7e7" * 10 + "0badf00d"  # 128 hex digits after key_
KEY_ENV = "SHOTLOOP_TEST_SECRET_KEY"
BATCH = (  # (profile, marker): publishes, retries, fails, through inline and uploaded inputs
    ("reference", ""), ("uploads", ""), ("reference", "[[fault:status 429 retry_after=0.5 times=1]]"),
    ("reference", "[[fault:output_truncated times=1]]"), ("reference", "[[fault:fail SAFETY.INPUT.TEXT]]"),
    ("reference", "[[fault:output_wrong_type]]"), ("reference", "[[fault:drop_after_create]]"),
)


@pytest.fixture(scope="module")
def keyed_service():
    """The reference service as its own process, accepting only the fake key."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "shotloop_refservice.server", "--api-key", FAKE_KEY,
         "--pending-s", "0.2", "--running-s", "0.5", "--concurrency", "8"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, NO_PROXY="127.0.0.1,localhost"))
    try:
        line = read_line(proc, 60)
        assert "reference service on http://127.0.0.1:" in line and "a custom key" in line, line
        yield proc, line.split(" on ", 1)[1].split()[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def keyed_run(keyed_service, tmp_path_factory):
    """A full batch through a real agent process whose profiles read the key from the env."""
    _, url = keyed_service
    tmp = tmp_path_factory.mktemp("secrets")
    config = tmp / "settings.toml"
    config.write_text(settings_toml(url, key=f"env:{KEY_ENV}"), encoding="utf-8")
    assert FAKE_KEY not in config.read_text()
    agent = AgentProcess(tmp / "home", config, env={KEY_ENV: FAKE_KEY})
    api = agent.start()
    try:
        root = tmp / "shotloop"
        plate = make_shot(tmp, "plate")
        requests_ = [job_request(shot_like(plate, f"s{n:02d}"), root, profile=profile,
                                 prompt=f"orb [s{n:02d}] {marker}")
                     for n, (profile, marker) in enumerate(BATCH)]
        jobs = wait_settled(api, send_all(api, requests_))
        for job in jobs:
            if job.state is JobState.SUBMIT_UNKNOWN:
                api.cancel(job.job_id)
        jobs = [api.job(j.job_id) for j in jobs]
        events, texts, cursor = [], {}, 0
        while True:
            batch, cursor = api.events(cursor, wait_s=0)
            if not batch:
                break
            events.extend(batch)
        for job in jobs:
            texts[f"job {job.shot.name} error"] = json.dumps(job.error or {})
            texts[f"job {job.shot.name} details"] = json.dumps(dict(job.details), default=str)
            for version in api.versions(job.shot.name, root=str(root)):
                texts[f"provenance {version.name}"] = json.dumps(
                    api.provenance(version.shot, version.label, version.number, root=str(root)))
        texts["events"] = json.dumps([dict(e.payload) for e in events], default=str)
        cut = tmp / "cut.otio"
        timeline = otio.schema.Timeline(name="cut")
        track = otio.schema.Track(name="V1")
        timeline.tracks.append(track)
        for job in jobs:
            track.append(otio.schema.Clip(name=job.shot.name, source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(1001, 24), otio.opentime.RationalTime(24, 24))))
        otio.adapters.write_to_file(timeline, str(cut))
        written = write_review(cut, lambda shot: api.versions(shot, root=str(root)), tmp / "review",
                               formats=(".otio", ".edl"))
        info = {"jobs": jobs, "root": root, "home": agent.home.root, "texts": texts,
                "written": written, "api": api, "agent": agent, "tmp": tmp, "url": url}
        yield info
    finally:
        agent.stop()


def test_the_batch_ran_through_the_key_and_settled(keyed_run, keyed_service):
    jobs = keyed_run["jobs"]
    states = [j.state for j in jobs]
    summary = "\n".join(f"{j.shot.name} {j.state.value} {j.reason}" for j in jobs)
    assert states.count(JobState.PUBLISHED) == 4, summary
    assert states.count(JobState.FAILED) == 2 and states.count(JobState.CANCELLED) == 1, summary
    assert audit_jobs(jobs, [keyed_run["root"]]).ok
    stats = requests.get(f"{keyed_run['url']}/_mock/stats", timeout=10).json()
    # The key worked: no 401, and every task ShotLoop holds an id for was created with it. (The
    # service may journal the create whose connection it dropped after the client gave up.)
    created = sum(1 for j in jobs if j.remote_task_id)
    assert created >= 6 and stats["creates"] >= created and "401" not in stats["responses_by_status"]


def test_the_key_appears_in_no_file_log_event_or_error(keyed_run):
    keyed_run["agent"].stop()  # flush and close the log and the ledger (WAL checkpoint)
    paths = [keyed_run["home"], keyed_run["root"], *keyed_run["written"]]
    files = [p for base in paths for p in ([base] if base.is_file() else base.rglob("*")) if p.is_file()]
    names = {p.name for p in files}
    assert {"ledger.sqlite", "agent.log", "version.json"} <= names, names
    assert any(p.suffix == ".otio" for p in files) and (keyed_run["home"] / "agent.log").stat().st_size
    for secret in (FAKE_KEY, FAKE_KEY[4:], FAKE_KEY[4:36]):  # whole, without prefix, partial
        assert scan_for(secret, paths, extra=keyed_run["texts"]) == []


def test_the_agent_listens_on_loopback_only(keyed_run):
    agent = keyed_run["agent"]
    if not agent.alive:
        keyed_run["api"] = agent.start()
    url = agent.home.read_info()["url"]
    host, port = url.rsplit("/", 1)[-1].rsplit(":", 1)
    assert host == "127.0.0.1"
    listening = _listening_addresses(int(port))
    if listening is not None:  # Linux: the kernel's own table of listening sockets
        assert listening == {"127.0.0.1"}, listening
    for address in _other_addresses():
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((address, int(port))) != 0, f"reachable on {address}"


def test_requests_without_the_token_are_refused(keyed_run):
    agent = keyed_run["agent"]
    if not agent.alive:
        agent.start()
    url = agent.home.read_info()["url"]
    api = agent.api
    before = len(api.jobs())
    token = (agent.home.root / "token").read_text().strip()
    wrong = {"none": None, "empty": "", "nearly": token[:-1] + ("x" if token[-1] != "x" else "y"),
             "longer": token + "0", "other": "0" * len(token)}
    for label, token in wrong.items():
        headers = {TOKEN_HEADER: token} if token is not None else {}
        for method, path, body in (("GET", "/v1/jobs", None), ("GET", "/v1/health", None),
                                   ("POST", "/v1/jobs", {"jobs": []}), ("POST", "/v1/shutdown", {}),
                                   ("GET", "/v1/events?since=0&timeout=0", None)):
            answer = requests.request(method, f"{url}{path}", json=body, headers=headers, timeout=10)
            assert answer.status_code == 401, (label, path, answer.status_code)
            assert answer.json()["error"]["code"] == "agent_refused"
    assert agent.alive and len(api.jobs()) == before  # the refused shutdown did nothing


def test_the_token_file_is_user_only(keyed_run):
    home = keyed_run["home"]
    mode = stat.S_IMODE((home / "token").stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(home.stat().st_mode) & 0o077 == 0, oct(home.stat().st_mode)


def test_tls_verification_stays_on_in_every_provider_session(tmp_path, monkeypatch):
    from shotloop.providers import load_provider
    from shotloop.settings import Profile

    monkeypatch.setenv(KEY_ENV, FAKE_KEY)
    remote = load_provider(Profile(name="remote", base_url="https://api.dev.runwayml.com",
                                   key=f"env:{KEY_ENV}"))
    try:
        sessions = [v for v in vars(remote).values() if isinstance(v, requests.Session)]
        sessions += [v for v in vars(remote._api).values() if isinstance(v, requests.Session)]
        assert len(sessions) == 2 and all(s.verify is True for s in sessions)
    finally:
        remote.close()


@pytest.fixture
def self_signed_https(tmp_path):
    """An https server on 127.0.0.1 with a certificate no CA signed."""
    crypto = pytest.importorskip("cryptography.x509")
    cert, key = _self_signed(tmp_path, crypto)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            return

        def do_GET(self):
            body = b'{"creditBalance": 1}'
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_certificate_nobody_signed_is_refused(self_signed_https, tmp_path):
    from shotloop.providers import load_provider
    from shotloop.settings import Profile

    provider = load_provider(Profile(name="tls", base_url=self_signed_https, key="dev",
                                     retry_attempts=1, retry_base_s=0.01, timeout_s=5))
    try:
        with pytest.raises(ProviderUnavailable) as info:
            provider.account()
        assert "SSL" in info.value.message or "certificate" in info.value.message.lower()
        with pytest.raises(DownloadFailed):
            provider.fetch(f"{self_signed_https}/_out/take.mp4", tmp_path / "take.mp4", max_bytes=1 << 20)
        assert not (tmp_path / "take.mp4").exists()
    finally:
        provider.close()


# --------------------------------------------------------------------------- helpers


def _listening_addresses(port: int) -> set[str] | None:
    """Local addresses listening on ``port`` per /proc/net/tcp{,6}; None off Linux."""
    found: set[str] = set()
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return None
    for table in tables:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, hex_port = local.rsplit(":", 1)
            if state != "0A" or int(hex_port, 16) != port:
                continue
            if len(address) == 8:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
            else:
                found.add(socket.inet_ntop(socket.AF_INET6, b"".join(
                    bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))))
    return found


def _other_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (those the agent must not answer on)."""
    addresses = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.add(info[4][0])
    except socket.gaierror:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:  # no packet is sent: connect() on UDP only picks the outgoing interface
            probe.connect(("192.0.2.1", 9))
            addresses.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in addresses if not a.startswith("127."))


def _self_signed(folder: Path, x509) -> tuple[str, str]:
    import datetime

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_a_key_written_into_settings_is_refused_without_being_echoed(tmp_path):
    from shotloop.errors import SettingsInvalid
    from shotloop.settings import load_settings

    path = tmp_path / "settings.toml"
    path.write_text(f'[profiles.studio]\nbase_url = "https://api.dev.runwayml.com"\nkey = "{FAKE_KEY}"\n')
    with pytest.raises(SettingsInvalid) as info:
        load_settings(env={}, user_file=path)
    assert info.value.field == "profiles.studio.key"
    assert FAKE_KEY not in str(info.value.to_dict()) and FAKE_KEY[4:40] not in info.value.message
