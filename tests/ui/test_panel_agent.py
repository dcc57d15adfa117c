"""The real panel against the real agent on the reference service (offscreen Qt).

Each test drives the widgets as an artist would (fill the form, press Send, Cancel,
Approve), waits with deadlines for what the event feed brings, checks the outcome on disk
and in the ledger, and saves a screenshot of the view under test-output/ui/.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shotloop.media.synth import write_exr_plate
from shotloop.model import FrameRange, JobState, Resolution, ReviewStatus, Shot
from shotloop.ui.local_media import local_services
from shotloop.ui.messages import MODERATION_HINT
from shotloop.ui.panel import ShotLoopPanel
from shotloop.ui.shot_list import ShotEntry
from tests.ui.helpers import SCREEN_SIZE

pytestmark = [pytest.mark.qt, pytest.mark.slow]

W, H = 320, 180
JOB_DEADLINE_MS = 120_000


def make_shot(folder: Path, name: str, frames: int = 24, seed: int = 0) -> Shot:
    pattern = write_exr_plate(folder / "plates" / name, name, 1001, 1000 + frames, W, H, seed=seed)
    return Shot(name, pattern, FrameRange(1001, 1000 + frames), 24.0, Resolution(W, H), "ACEScg")


@pytest.fixture
def panel(qtbot, agent, tmp_path):
    widget = ShotLoopPanel(connect=lambda: agent.api, services=local_services())
    qtbot.addWidget(widget)
    widget.resize(*SCREEN_SIZE)
    widget.show()
    qtbot.waitUntil(lambda: widget.session.following and widget.session.profile is not None, timeout=30_000)
    assert widget.connection.text() == "● Agent connected"
    said: list[tuple[str, str]] = []
    widget.session.message.connect(lambda level, text: said.append((level, text)))
    yield widget
    assert not [text for level, text in said if "internal error" in text], said


def fill(panel: ShotLoopPanel, shots: list[Shot], root: Path, *, prompt: str, seed: int,
         model: str = "gen4_turbo") -> None:
    view = panel.send_view
    view.set_entries([ShotEntry(s) for s in shots], f"{len(shots)} shot(s) from the test")
    view.root_edit.setText(str(root))
    form = view.form
    form.endpoint.setCurrentIndex(form.endpoint.findData("image_to_video"))
    form.model.setCurrentIndex(form.model.findData(model))
    form.prompt.setPlainText(prompt)
    form.seed.setText(str(seed))
    view.refresh()


def send(qtbot, panel: ShotLoopPanel) -> list:
    """Press Send; return the jobs the agent accepted."""
    assert panel.send_view.send_button.isEnabled(), panel.send_view.problems.text()
    with qtbot.waitSignal(panel.session.sent, timeout=30_000) as signal:
        panel.send_view.send_button.click()
    results = [result for _, result in signal.args[0]]
    assert all(hasattr(r, "job_id") for r in results), results
    return results


def job_in_view(panel: ShotLoopPanel, job_id: str):
    row = panel.watch_view.model.row_of(job_id)
    return panel.watch_view.model.job(row) if row >= 0 else None


def wait_state(qtbot, panel, job_id: str, *states: JobState, timeout: int = JOB_DEADLINE_MS):
    def reached():
        job = job_in_view(panel, job_id)
        return job is not None and job.state in states

    qtbot.waitUntil(reached, timeout=timeout)
    return job_in_view(panel, job_id)


def test_send_watch_progress_then_review_and_approve(qtbot, panel, agent, tmp_path, screenshot):
    shot = make_shot(tmp_path, "sh010")
    root = tmp_path / "shotloop"
    fill(panel, [shot], root, prompt="a bright orb drifting over a calm sea at dusk", seed=42)
    previews = panel.send_view.previews
    qtbot.waitUntil(lambda: len(previews.images) == 1, timeout=30_000)
    role, image = previews.images[0]
    assert role == "first" and image.width() * 9 == image.height() * 16  # fitted to 1280:720
    assert "Estimated 10 credits" in panel.send_view.cost_label.text()  # 2 s at 5 credits/s
    screenshot(panel, "send")

    seen: list[tuple[JobState, float]] = []
    panel.session.job_changed.connect(lambda job: seen.append((job.state, job.progress)))
    (job,) = send(qtbot, panel)
    assert panel.tabs.currentWidget() is panel.watch_view
    assert panel.watch_view.selected().job_id == job.job_id
    wait_state(qtbot, panel, job.job_id, JobState.SUBMITTED, JobState.RUNNING, JobState.DOWNLOADING,
               JobState.INGESTING, JobState.PUBLISHED)
    screenshot(panel, "watch-running")
    done = wait_state(qtbot, panel, job.job_id, JobState.PUBLISHED, JobState.FAILED)
    assert done.state is JobState.PUBLISHED, done.reason
    assert done.version == 1 and done.progress == 1.0
    states = [state for state, _ in seen]
    assert JobState.PUBLISHED in states and len(set(states)) >= 3  # the feed moved the row along
    ledger_job = agent.api.job(job.job_id)
    assert ledger_job.state is JobState.PUBLISHED
    qtbot.waitUntil(lambda: job_in_view(panel, job.job_id).credits == ledger_job.credits, timeout=10_000)
    screenshot(panel, "watch")

    # Review: the version from the feed, its frames, the plate behind a wipe, approve.
    panel.watch_view.versions_button.click()
    review = panel.review_view
    assert panel.tabs.currentWidget() is review
    qtbot.waitUntil(lambda: review.strip.count() == 1, timeout=10_000)
    version = review.version_a()
    assert (version.shot, version.number, version.seed, version.model) == ("sh010", 1, 42, "gen4_turbo")
    assert Path(version.path) == root / "sh010" / "gen" / "v001"
    frames_a = review.frames.get(review._keys[0])
    qtbot.waitUntil(lambda: frames_a.complete, timeout=30_000)
    assert sorted(frames_a.images) == list(range(1001, 1025)), frames_a.error
    assert review.version_b() is None  # B is the plate
    frames_b = review.frames.get(review._keys[1])
    qtbot.waitUntil(lambda: frames_b is not None and frames_b.complete, timeout=30_000)
    assert sorted(frames_b.images) == list(range(1001, 1025)), frames_b.error
    review.slider.setValue(1012)
    review.wipe_button.setChecked(True)
    review.viewer.set_wipe(0.25)  # the plate's disc sits right of the line at this frame
    assert review.viewer.mode == "wipe"
    screenshot(panel, "review-wipe")
    review.flip()
    assert review.viewer.mode == "b"
    review.flip()
    review.play_button.setChecked(True)  # plays at the version's rate, looping
    qtbot.waitUntil(lambda: review.slider.value() >= 1016, timeout=5_000)
    review.play_button.setChecked(False)
    assert review.frame_label.text().startswith(str(review.slider.value()))

    review.note_edit.setText("horizon drifts")
    review.reject_button.click()
    qtbot.waitUntil(lambda: review.version_a().review is ReviewStatus.REJECTED, timeout=10_000)

    review.note_edit.setText("good motion, keep the horizon")
    review.approve_button.click()
    qtbot.waitUntil(lambda: review.version_a().review is ReviewStatus.APPROVED, timeout=10_000)
    on_disk = json.loads((root / "sh010" / "gen" / "v001" / "version.json").read_text())
    assert on_disk["review"]["status"] == "approved"
    assert on_disk["review"]["note"] == "good motion, keep the horizon"
    assert "approved" in review.strip.item(0).text()
    screenshot(panel, "review")


def test_cancel_a_job_the_service_holds_throttled(qtbot, panel, agent, tmp_path):
    shot = make_shot(tmp_path, "sh050", frames=12)
    fill(panel, [shot], tmp_path / "shotloop", prompt="a lighthouse [[fault:throttle 120]]", seed=5)
    (job,) = send(qtbot, panel)
    qtbot.waitUntil(lambda: job_in_view(panel, job.job_id).remote_status == "THROTTLED", timeout=60_000)
    panel.watch_view.select_job(job.job_id)
    assert "THROTTLED" in panel.watch_view.details.text()
    assert panel.watch_view.cancel_button.isEnabled()
    panel.watch_view.cancel_button.click()
    cancelled = wait_state(qtbot, panel, job.job_id, JobState.CANCELLED, timeout=30_000)
    assert cancelled.state is JobState.CANCELLED
    assert agent.api.job(job.job_id).state is JobState.CANCELLED
    assert not panel.watch_view.cancel_button.isEnabled()


def test_a_safety_refusal_is_explained_to_the_artist(qtbot, panel, tmp_path, screenshot):
    shot = make_shot(tmp_path, "sh060", frames=12)
    fill(panel, [shot], tmp_path / "shotloop", prompt="a storm [[fault:fail SAFETY.INPUT.TEXT]]", seed=9)
    (job,) = send(qtbot, panel)
    failed = wait_state(qtbot, panel, job.job_id, JobState.FAILED, JobState.PUBLISHED)
    assert failed.state is JobState.FAILED
    panel.watch_view.select_job(job.job_id)
    details = panel.watch_view.details.text()
    assert MODERATION_HINT in details
    assert "sh060: task" in details and "moderation" in details
    message = panel.watch_view.model.index(panel.watch_view.model.row_of(job.job_id), 6).data()
    assert message.startswith("SAFETY: sh060") and "\n" not in message
    assert panel.watch_view.retry_button.isEnabled()
    screenshot(panel, "watch-safety")


def test_replay_and_recipe_diff_between_versions(qtbot, panel, tmp_path, screenshot):
    shot = make_shot(tmp_path, "ui070", frames=12, seed=3)
    root = tmp_path / "shotloop"
    fill(panel, [shot], root, prompt="mist over a harbour", seed=1)
    (first,) = send(qtbot, panel)
    panel.send_view.form.seed.setText("2")
    panel.send_view.form.prompt.setPlainText("mist over a harbour, warmer light")
    (second,) = send(qtbot, panel)
    for job in (first, second):
        assert wait_state(qtbot, panel, job.job_id, JobState.PUBLISHED, JobState.FAILED).state is JobState.PUBLISHED

    panel.show_versions("ui070")
    review = panel.review_view
    qtbot.waitUntil(lambda: review.strip.count() == 2, timeout=10_000)
    by_seed = {v.seed: v for v in review.strip.versions()}
    assert sorted(by_seed) == [1, 2]
    review.strip.select("gen", by_seed[1].number)
    with qtbot.waitSignal(review.replayed, timeout=30_000) as replayed:
        review.replay_button.click()
    replay_job = replayed.args[0]
    assert replay_job.recipe.seed == 1
    assert wait_state(qtbot, panel, replay_job.job_id, JobState.PUBLISHED, JobState.FAILED).state is JobState.PUBLISHED
    qtbot.waitUntil(lambda: review.strip.count() == 3, timeout=10_000)
    assert review.strip.versions()[2].seed == 1  # v003: the replay, same seed as its source

    review.strip.select("gen", by_seed[2].number)
    review.select_b(by_seed[1])
    review.diff_button.click()
    qtbot.waitUntil(lambda: "differ" in review.diff_label.text(), timeout=10_000)
    rows = {review.diff_table.item(r, 0).text(): (review.diff_table.item(r, 1).text(),
                                                  review.diff_table.item(r, 2).text())
            for r in range(review.diff_table.rowCount())}
    assert rows["seed"] == ("2", "1")
    assert rows["recipe.prompt"] == ("'mist over a harbour, warmer light'", "'mist over a harbour'")
    screenshot(panel, "review-diff")

    review.strip.select("gen", 3)
    review.select_b(by_seed[1])
    review.diff_button.click()
    qtbot.waitUntil(lambda: "the recipes are the same" in review.diff_label.text(), timeout=10_000)
