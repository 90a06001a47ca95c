"""Results' uncertainty band sentence, backtest tab and inside view on a tiny trained run."""

from __future__ import annotations

from pages.components import services
from pages.components.backtest_panel import STATE
from tests.app.conftest import TINY, assert_clean, open_page, texts


def test_results_shows_the_band_sentence_backtest_and_inside_view(use_trained_home):
    at = open_page("pages/results.py", TINY)
    assert_clean(at)
    said = texts(at.success) + texts(at.warning)
    assert "The 80% band held the real value" in said
    assert any(
        chart.proto.spec and "80% band" in chart.proto.spec for chart in at.get("plotly_chart")
    )
    assert [tab.label for tab in at.tabs] == ["Walk-forward backtest", "Look inside the network"]
    # The inside view reads the saved network only when asked (the pool may be busy).
    assert "forget gate" not in texts(at.caption)
    closed = len(at.get("plotly_chart"))
    at.toggle(key="w.results.inside_open").set_value(True).run()
    assert_clean(at)
    # It read the saved LSTM in the pool: lag weights, hidden states and gates.
    assert len(at.get("plotly_chart")) >= closed + 5
    assert "forget gate" in texts(at.caption)

    at.number_input(key="w.results.backtest_folds").set_value(2).run()
    next(button for button in at.button if button.label == "Run the backtest").click().run()
    assert any(b.label == "Cancel the backtest" for b in at.button)  # its cut-offs are running
    # Wait for the cut-offs' jobs themselves (the page polls them; redrawing it here each
    # second would only take the cores they train on), then draw the page as its poll would.
    registry = services.registry()
    for job_id in at.session_state[STATE]["jobs"]:
        assert registry.wait(job_id, timeout=240).finished
    at.run()
    assert_clean(at)
    assert "The network had the lowest error at" in texts(at.caption)
