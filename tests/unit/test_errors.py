from shotloop.errors import (CreateOutcomeUnknown, RecipeInvalid, ShotLoopError, TaskFailed,
                             redact)

FAKE_KEY = "key_" + "ab12" * 32


def test_message_names_shot_field_problem_and_fix():
    err = RecipeInvalid("12 s is not offered by gen4_turbo", shot="sh010", field="recipe.duration",
                        fix="choose one of [5, 10] s")
    assert err.message == ("sh010: recipe.duration 12 s is not offered by gen4_turbo. "
                           "Fix: choose one of [5, 10] s")


def test_errors_round_trip_keep_their_class():
    err = CreateOutcomeUnknown("timed out after sending", shot="sh020", field="create", fix="decide")
    back = ShotLoopError.from_dict(err.to_dict())
    assert isinstance(back, CreateOutcomeUnknown) and back.message == err.message
    assert isinstance(ShotLoopError.from_dict(TaskFailed("x").to_dict()), TaskFailed)


def test_secrets_never_reach_a_message():
    text = (f"Authorization: Bearer {FAKE_KEY} failed for "
            "https://cdn.example/out.mp4?_jwt=abc.def and runway://upload/123?token=zz")
    err = ShotLoopError(text, fix=f"use {FAKE_KEY}")
    for leaked in (FAKE_KEY, "_jwt", "abc.def", "token=zz"):
        assert leaked not in err.message
    assert "https://cdn.example/out.mp4" in redact(text)
