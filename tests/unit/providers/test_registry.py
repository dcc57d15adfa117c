"""Providers are found by entry point and built for a profile; bad profiles fail clearly."""
from __future__ import annotations

from dataclasses import replace

import pytest

from shotloop.errors import SecretMissing, SettingsInvalid
from shotloop.providers.base import Provider
from shotloop.providers.registry import load_provider, provider_kinds
from shotloop.providers.runway import RunwayProvider


def test_runway_is_registered(offline_profile):
    assert "runway" in provider_kinds()
    provider = load_provider(offline_profile)
    try:
        assert isinstance(provider, RunwayProvider) and isinstance(provider, Provider)
        assert provider.name == "runway"
        assert provider.capabilities.cancel and not provider.capabilities.idempotent_submit
    finally:
        provider.close()


def test_unknown_kind(offline_profile):
    with pytest.raises(SettingsInvalid) as caught:
        load_provider(replace(offline_profile, kind="luma"))
    assert caught.value.field == "profiles.offline.kind"


def test_embedded_profile_needs_a_started_service(offline_profile):
    with pytest.raises(SettingsInvalid) as caught:
        load_provider(replace(offline_profile, base_url="embedded"))
    assert caught.value.field == "profiles.offline.base_url"


def test_bad_key_location(offline_profile):
    with pytest.raises(SettingsInvalid) as caught:
        load_provider(replace(offline_profile, key="hunter2"))
    assert caught.value.field == "profiles.offline.key" and "hunter2" not in caught.value.message


def test_missing_key_says_how_to_set_it(offline_profile, monkeypatch):
    monkeypatch.delenv("SHOTLOOP_TEST_ABSENT_KEY", raising=False)
    with pytest.raises(SecretMissing) as caught:
        load_provider(replace(offline_profile, key="env:SHOTLOOP_TEST_ABSENT_KEY"))
    assert "SHOTLOOP_TEST_ABSENT_KEY" in caught.value.message


def test_key_goes_only_into_the_api_session(offline_profile, monkeypatch):
    secret = "key_" + "0123456789abcdef" * 8
    monkeypatch.setenv("SHOTLOOP_TEST_KEY", secret)
    provider = RunwayProvider(replace(offline_profile, key="env:SHOTLOOP_TEST_KEY"))
    try:
        assert provider._api.session.headers["Authorization"] == f"Bearer {secret}"
        assert "Authorization" not in provider._plain.headers  # uploads and downloads
        assert secret not in repr(provider.profile)
    finally:
        provider.close()


def test_poll_interval(offline_profile):
    import random
    remote = RunwayProvider(replace(offline_profile, base_url="https://api.example.com",
                                    poll_interval_s=0.01), rng=random.Random(3))
    local = RunwayProvider(replace(offline_profile, poll_interval_s=0.2), rng=random.Random(3))
    plain_local = RunwayProvider(offline_profile, rng=random.Random(3))
    try:
        for _ in range(200):
            assert 5.0 <= remote.poll_interval(10) <= 8.0  # the loopback-only knob is ignored
            assert 10.0 <= remote.poll_interval(61) <= 20.0
            assert 0.2 <= local.poll_interval(100) <= 0.3
            assert 5.0 <= plain_local.poll_interval(0) <= 8.0
    finally:
        for made in (remote, local, plain_local):
            made.close()
