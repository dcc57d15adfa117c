"""What the panel says about jobs and errors: one line, moderation called out (no Qt)."""
from __future__ import annotations

from dataclasses import replace

from shotloop.errors import RecipeInvalid, TaskFailed
from shotloop.model import FrameRange, Job, JobState, Recipe, Resolution, Shot
from shotloop.publish.run import ValidationFailed
from shotloop.ui.messages import (cost_text, error_line, format_seconds, is_moderation, job_message,
                                  state_text, waiting_seconds)

SHOT = Shot("sh010", "/p/sh010.####.exr", FrameRange(1001, 1024), 24.0, Resolution(320, 180))
JOB = Job("j1", SHOT, Recipe(model="gen4_turbo"), created_at=1000.0, updated_at=1000.0)


def test_validation_failures_become_one_line_per_problem_joined():
    errors = [RecipeInvalid("12 s is not offered by gen4_turbo", shot="sh010", field="recipe.duration",
                            fix="choose one of [2, 10] s"),
              RecipeInvalid("needs a prompt", shot="sh020", field="recipe.prompt", fix="write a prompt")]
    line = error_line(ValidationFailed(errors))
    assert line == ("sh010: recipe.duration 12 s is not offered by gen4_turbo. Fix: choose one of [2, 10] s; "
                    "sh020: recipe.prompt needs a prompt. Fix: write a prompt")
    assert "\n" not in line


def test_a_safety_refusal_says_so_and_what_to_change():
    err = TaskFailed("The input did not pass content moderation.", failure_code="SAFETY.INPUT.TEXT",
                     shot="sh010", field="task",
                     fix="the service's moderation refused an input: change the prompt or the keyframes; "
                         "it will not be retried automatically")
    job = replace(JOB, state=JobState.FAILED, error=err.to_dict())
    assert is_moderation(job.error)
    message = job_message(job)
    assert message.startswith("SAFETY: sh010: task The input did not pass content moderation")
    assert "change the prompt or the keyframes" in message
    other = replace(job, error=TaskFailed("boom", shot="sh010", field="task", fix="retry").to_dict())
    assert not is_moderation(other.error)


def test_states_waiting_and_cost_read_well():
    running = replace(JOB, state=JobState.RUNNING, remote_status="THROTTLED", estimated_credits=25.0)
    assert state_text(running) == "Generating (THROTTLED)"
    assert job_message(running) == "The service is busy (THROTTLED): the job waits in its queue."
    assert cost_text(running) == "~25"
    assert waiting_seconds(running, now=1075.0) == 75.0
    done = replace(running, state=JobState.PUBLISHED, version=3, credits=10.0, updated_at=1130.0)
    assert state_text(done) == "Published v003"
    assert waiting_seconds(done, now=99999.0) == 130.0  # stops counting when it ends
    assert cost_text(done) == "10"
    assert [format_seconds(s) for s in (4, 75, 3725)] == ["4 s", "1:15", "1 h 02 min"]
