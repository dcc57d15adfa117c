"""Keys come only from the environment or the keychain; a broken keychain never crashes."""
from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.errors
import pytest

from shotloop.errors import SecretMissing
from shotloop.secrets import (REFERENCE_DEV_KEY, KeySpec, find_key, get_key, parse_key_spec,
                              runway_key_configured, runway_key_location)

SECRET = "key_" + "5e" * 64


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self, entries: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.entries = entries

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__({})
        self.error = error

    def get_password(self, service, username):
        raise self.error


@pytest.fixture
def use_keyring():
    """Install a keyring backend for one test and restore the previous one afterwards."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


def test_parse_specs():
    assert parse_key_spec("env:RUNWAYML_API_SECRET") == KeySpec("env", "RUNWAYML_API_SECRET")
    assert parse_key_spec("keyring:shotloop/runway") == KeySpec("keyring", "shotloop", "runway")
    assert parse_key_spec("keyring:my.studio/ci/bot") == KeySpec("keyring", "my.studio/ci", "bot")
    assert str(parse_key_spec("keyring:a/b")) == "keyring:a/b"
    for spec in ("dev", "none"):
        assert parse_key_spec(spec).kind == spec
    for bad in ("", "env:", "env:A B", "keyring:nouser", SECRET, "file:/tmp/key"):
        with pytest.raises(ValueError) as caught:
            parse_key_spec(bad)
        assert SECRET not in str(caught.value)


def test_environment():
    assert find_key("env:RUNWAYML_API_SECRET", env={"RUNWAYML_API_SECRET": SECRET}) == SECRET
    assert find_key("env:RUNWAYML_API_SECRET", env={"RUNWAYML_API_SECRET": "  "}) is None
    assert find_key("env:RUNWAYML_API_SECRET", env={}) is None
    assert find_key("none") is None
    assert find_key("dev") == REFERENCE_DEV_KEY == "shotloop-dev-key"


def test_keychain(use_keyring):
    use_keyring(MemoryKeyring({("shotloop", "runway"): SECRET}))
    assert find_key("keyring:shotloop/runway") == SECRET
    assert find_key("keyring:shotloop/other") is None
    assert runway_key_location({}) == "keyring:shotloop/runway"
    assert runway_key_location({"RUNWAYML_API_SECRET": "x"}) == "env:RUNWAYML_API_SECRET"


@pytest.mark.parametrize("error", [
    keyring.errors.NoKeyringError("no backend"),
    keyring.errors.KeyringLocked("locked"),
    OSError("dbus went away"),
])
def test_broken_keychain_counts_as_not_found(use_keyring, caplog, error):
    use_keyring(BrokenKeyring(error))
    with caplog.at_level(logging.INFO, logger="shotloop.secrets"):
        assert find_key("keyring:shotloop/runway") is None
        assert not runway_key_configured({})
    assert caplog.records  # the reason is logged, not raised


def test_missing_key_explains_the_fix(use_keyring):
    use_keyring(MemoryKeyring({}))
    with pytest.raises(SecretMissing) as caught:
        get_key("env:RUNWAYML_API_SECRET", profile="runway", env={})
    err = caught.value
    assert err.field == "key" and "profile 'runway'" in err.problem
    assert "export RUNWAYML_API_SECRET" in err.fix and "keyring set" in err.fix
    with pytest.raises(SecretMissing) as caught:
        get_key("keyring:studio/bot", env={})
    assert "keyring set studio bot" in caught.value.fix
    with pytest.raises(SecretMissing):
        get_key("none")


def test_key_never_in_messages_or_logs(use_keyring, caplog):
    use_keyring(MemoryKeyring({("shotloop", "runway"): SECRET}))
    with caplog.at_level(logging.DEBUG):
        assert get_key("keyring:shotloop/runway") == SECRET
        assert get_key("env:K", env={"K": SECRET}) == SECRET
    assert SECRET not in caplog.text
