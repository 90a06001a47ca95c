"""The whole journey through the real job system: synthetic data -> tiny LSTM -> Train ->
poll until done -> Results shows the forecast, the residuals and the metrics table; then the
same settings in a new session (from the URL) load from the run store at once."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import assert_clean, open_page, rendered, texts


def _click(at, label):
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert_clean(at)


def _until_done(at) -> None:
    """The Train page drawn as its poll would draw it once the job has an epoch behind it,
    and again when the job is done (waiting on the job itself: redrawing the page twice a
    second would only take the cores it trains on). It says the training is done."""
    from pages.components import services
    from tests.conftest import wait_until

    registry, job_id = services.registry(), at.session_state["forecast_lab.job"]
    wait_until(
        lambda: registry.snapshot(job_id).epoch >= 1 or registry.snapshot(job_id).finished, 300
    )
    at.run()
    assert_clean(at)  # the panel of a running job (or, if it was that quick, a finished one)
    assert not at.error, texts(at.error)
    registry.wait(job_id, timeout=300)
    at.run()
    assert_clean(at)
    assert "Done in" in texts(at.success), "the training did not finish in time"


def test_journey_train_then_results_then_cache():
    at = open_page("pages/data.py")
    at.slider(key="w.data.length").set_value(400).run()
    at.number_input(key="w.split.test_size").set_value(80).run()
    assert_clean(at)
    at.switch_page("pages/model.py")
    at.run()
    at.select_slider(key="w.model.units").set_value(4).run()
    at.slider(key="w.train.epochs").set_value(2).run()
    assert_clean(at)
    assert at.session_state["forecast_lab.request"].model.units == 4

    at.switch_page("pages/train.py")
    at.run()
    _click(at, "Train the model")
    job_id = at.session_state["forecast_lab.job"]
    assert at.query_params["job"] == job_id
    _until_done(at)
    _click(at, "See the results")
    assert at.title[0].value == "Results"
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # forecast vs actual, residuals over time, residual histogram
    assert at.dataframe, "the metrics table is missing"
    assert "tomorrow = today" in texts(at.success) + texts(at.info) + texts(at.warning)
    link = dict(at.query_params)

    # Reloading the tab (the URL keeps the job id) reconnects to the same, finished job.
    reloaded = open_page("pages/train.py", None, **link)
    assert_clean(reloaded)
    assert "Done in" in texts(reloaded.success)

    # Another session with the same settings (no job id) is served from the run store.
    link.pop("job")
    again = open_page("pages/train.py", None, **link)
    assert_clean(again)
    _click(again, "Load the trained model")
    # the job panel says so only for a result the store served (RunResult.cached): nothing
    # was trained again
    assert "Loaded from cache" in texts(again.success)
    assert "Done in" not in texts(again.success)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _train_until_done(at) -> None:
    _click(at, "Train the model")
    _until_done(at)


def test_journey_uploaded_csv_to_results():
    """A real monthly file (S&P 500 month-end closes) saved as an upload: every page of the
    journey renders (Train names the file), it trains and Results draws its charts."""
    from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
    from core.data.upload import save_upload
    from core.paths import sub_dir
    from core.runs.owners import UploadOwners

    path = save_upload((FIXTURES / "sp500_monthly_close.csv").read_bytes(), "sp500 monthly.csv")
    owner = "c" * 32  # the uploader's browser: the Data page's form claims the file for it
    UploadOwners(sub_dir("upload-owners")).claim(path.name, owner)
    request = RunRequest(
        data=DataConfig(source="csv", csv_path=str(path)),
        split=SplitConfig(method="fraction", test_fraction=0.2, lookback=12),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=2),
        horizon=6,
    )
    at = open_page("pages/data.py", request, owner_id=owner)
    assert_clean(at)
    for page in ("pages/model.py", "pages/train.py"):
        at.switch_page(page)
        at.run()
        assert_clean(at)
    assert "sp500_monthly.csv" in rendered(texts(at.markdown))  # the Train page's data summary
    _train_until_done(at)
    _click(at, "See the results")
    assert at.title[0].value == "Results"
    assert len(at.get("plotly_chart")) >= 3
