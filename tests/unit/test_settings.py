"""Settings profiles: built-ins, user and project files merged, clear errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from shotloop.errors import SettingsInvalid
from shotloop.settings import (EMBEDDED, PROJECT_FILE, RUNWAY_BASE_URL, find_project_file,
                               load_settings, user_settings_path)

NO_KEY: dict[str, str] = {}
WITH_KEY = {"RUNWAYML_API_SECRET": "not-a-real-key"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def user(tmp_path: Path) -> Path:
    return tmp_path / "home" / "settings.toml"


def test_builtin_reference_is_the_default_without_a_key(user):
    settings = load_settings(env=NO_KEY, user_file=write(user, ""))
    assert settings.default == "reference"
    ref = settings.profile()
    assert (ref.kind, ref.base_url, ref.key, ref.embedded) == ("runway", EMBEDDED, "dev", True)
    assert settings.profile("runway").base_url == RUNWAY_BASE_URL


def test_runway_is_the_default_when_a_key_is_set(user):
    settings = load_settings(env=WITH_KEY, user_file=write(user, ""))
    assert settings.default == "runway"
    assert settings.profile().key == "env:RUNWAYML_API_SECRET"
    assert "not-a-real-key" not in repr(settings)  # settings hold where, never what


def test_project_overrides_user_field_by_field(user, tmp_path):
    write(user, """
default_profile = "studio"
[profiles.studio]
kind = "runway"
base_url = "https://models.studio.example"
key = "keyring:studio/runway"
models = ["gen4_turbo", "house_v2"]
concurrency = 4
budget_credits = 500
max_download_mb = 200
timeout_s = 30
[profiles.studio.custom_models]
house_v2 = "gen4.5"
[profiles.reference]
concurrency = 3
""")
    project = tmp_path / "show" / "seq010" / "comp"
    project.mkdir(parents=True)
    write(tmp_path / "show" / PROJECT_FILE, """
[profiles.studio]
concurrency = 8
budget_credits = 120.5
[profiles.local]
base_url = "http://127.0.0.1:8100"
key = "none"
poll_interval_s = 0.25
retry_base_s = 0.01
inline_max_mb = 0
""")
    settings = load_settings(project, env=NO_KEY, user_file=user)
    assert settings.sources == (user, tmp_path / "show" / PROJECT_FILE)
    assert settings.default == "studio"
    studio = settings.profile()
    assert studio.concurrency == 8 and studio.budget_credits == 120.5  # project wins
    assert studio.timeout_s == 30 and studio.max_download_mb == 200  # user's values stay
    assert studio.models == ("gen4_turbo", "house_v2")
    assert studio.custom_models == {"house_v2": "gen4.5"}
    assert studio.key == "keyring:studio/runway"
    assert settings.profile("reference").concurrency == 3
    assert settings.profile("reference").base_url == EMBEDDED  # built-in fields kept
    local = settings.profile("local")
    assert local.poll_interval_s == 0.25 and local.loopback and local.inline_max_mb == 0


@pytest.mark.parametrize("body, field, words", [
    ('[profiles.x]\nconcurrency = "two"', "profiles.x.concurrency", "whole number"),
    ('[profiles.x]\nconcurrency = 0', "profiles.x.concurrency", "whole number"),
    ('[profiles.x]\nbudget_credits = -1', "profiles.x.budget_credits", "number"),
    ('[profiles.x]\ntimeout_s = 0', "profiles.x.timeout_s", "number"),
    ('[profiles.x]\nmodels = "gen4_turbo"', "profiles.x.models", "list"),
    ('[profiles.x]\ncustom_models = ["a"]', "profiles.x.custom_models", "table"),
    ('[profiles.x]\nkey = "hunter2"', "profiles.x.key", "env:NAME"),
    ('[profiles.x]\nkey = "key_' + "ab" * 64 + '"', "profiles.x.key", "never hold the key"),
    ('[profiles.x]\nbase_url = "ftp://host"', "profiles.x.base_url", "http"),
    ('[profiles.x]\nbase_url = "http://models.example.com"', "profiles.x.base_url", "https"),
    ('[profiles.x]\nflavour = 1', "profiles.x.flavour", "not a profile setting"),
    ('[profiles.x]\nbase_url = "https://api.example.com"\npoll_interval_s = 1',
     "profiles.x.poll_interval_s", "loopback"),
    ('[profiles.x]\nbase_url = "https://api.example.com"\nretry_base_s = 0.1',
     "profiles.x.retry_base_s", "loopback"),
    ('default_profile = "nope"', "default_profile", "no known profile"),
    ('profiles = 3', "profiles", "table"),
])
def test_errors_name_the_file_and_the_field(user, body, field, words):
    write(user, body)
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(env=NO_KEY, user_file=user)
    err = caught.value
    assert err.field == field
    assert str(user) in err.problem and words in err.message
    assert err.fix
    assert "ab" * 64 not in err.message  # a pasted key is never echoed


def test_merged_check_names_the_file_that_set_the_value(user, tmp_path):
    write(user, '[profiles.x]\npoll_interval_s = 0.5\nbase_url = "http://127.0.0.1:9"')
    project = write(tmp_path / "p" / PROJECT_FILE, '[profiles.x]\nbase_url = "https://a.example"')
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(project.parent, env=NO_KEY, user_file=user)
    assert caught.value.field == "profiles.x.poll_interval_s"
    assert str(user) in caught.value.problem


def test_broken_toml_and_missing_explicit_file(user, tmp_path):
    write(user, "[profiles.x\nkind=")
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(env=NO_KEY, user_file=user)
    assert str(user) in caught.value.problem and "TOML" in caught.value.problem
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(SettingsInvalid):
        load_settings(env={"SHOTLOOP_CONFIG": str(missing)})


def test_unknown_profile_lists_the_known_ones(user):
    settings = load_settings(env=NO_KEY, user_file=write(user, ""))
    with pytest.raises(SettingsInvalid) as caught:
        settings.profile("studio")
    assert "reference" in caught.value.fix and "runway" in caught.value.fix


def test_user_file_location(tmp_path):
    assert user_settings_path({"SHOTLOOP_CONFIG": str(tmp_path / "s.toml")}) == tmp_path / "s.toml"
    assert user_settings_path({}).parts[-3:] == (".config", "shotloop", "settings.toml")
    assert find_project_file(None) is None
    assert find_project_file(tmp_path) is None
    made = write(tmp_path / PROJECT_FILE, "")
    assert find_project_file(tmp_path / "deeper") == made
    assert find_project_file(made) == made


def test_user_file_from_environment(tmp_path):
    path = write(tmp_path / "custom.toml", '[profiles.reference]\nconcurrency = 5')
    settings = load_settings(env={"SHOTLOOP_CONFIG": str(path)})
    assert settings.profile("reference").concurrency == 5 and settings.sources == (path,)
