"""After a server was killed mid-training, the Train page says so and offers to start it again."""

from __future__ import annotations

import json

from tests.app.conftest import TINY, assert_clean, open_page, texts


def test_train_page_offers_to_restart_a_training_a_dead_server_lost(tmp_path, monkeypatch):
    home = tmp_path / "home"
    markers = home / "runs" / ".in-progress"
    markers.mkdir(parents=True)
    (markers / "lostkey.json").write_text(
        json.dumps(
            {
                "key": "lostkey",
                "label": "LSTM 2x4 tanh on Synthetic",  # an older version's words
                "request": TINY.to_dict(),
                "submitted_at": 1_700_000_000.0,
                "owner_pid": 999_999_999,  # no such process: its server is gone
                "owner_started": 0.0,
            }
        )
    )
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    from pages.components import services

    at = open_page("pages/train.py")
    assert_clean(at)
    assert "A training was interrupted" in texts(at.warning)
    # Named in today's words, from the request, whatever words the marker was written with.
    assert "LSTM, 2 layers of 4 units + linear shortcut on Synthetic" in texts(at.warning)
    assert "2x4 tanh" not in texts(at.warning)
    at.button(key="restart_lostkey").click().run()
    assert_clean(at)
    assert "A training was interrupted" not in texts(at.warning)
    job_id = at.session_state["forecast_lab.job"]
    assert at.session_state["forecast_lab.request"] == TINY
    registry = services.registry()
    assert registry.interrupted() == []
    registry.cancel(job_id)
    registry.wait(job_id, timeout=120)
