"""Forecast Lab: the router. Page config, navigation over pages/, the shared sidebar, the session
bootstrap (request and job id from the URL) and the error boundary around every page."""

from __future__ import annotations


def main() -> None:
    # imports here: worker processes re-import this file (see below) and skip the app
    import logging
    import os
    from pathlib import Path

    import streamlit as st

    from pages.components import runtime, services, sidebar, state
    from pages.components.guard import show_error

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # inherited by the Dask workers
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    here = Path(__file__).resolve().parent
    runtime.mark_router_seen()
    services.start_pool()  # once per server: the Dask workers load TensorFlow while the user reads

    st.set_page_config(
        page_title="Forecast Lab",
        page_icon=":material/insights:",
        layout="wide",
        initial_sidebar_state="expanded",
    )

    pages = {
        "": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
        "Steps": [
            st.Page("pages/data.py", title="Data", icon=":material/dataset:"),
            st.Page("pages/model.py", title="Model", icon=":material/neurology:"),
            st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
            st.Page("pages/results.py", title="Results", icon=":material/monitoring:"),
            st.Page("pages/classify.py", title="Classify", icon=":material/swap_vert:"),
        ],
        "Library": [st.Page("pages/runs.py", title="Runs", icon=":material/history:")],
    }
    if (here / "pages" / "experiments.py").is_file():
        pages["Library"].append(
            st.Page("pages/experiments.py", title="Experiments", icon=":material/science:")
        )

    def guarded(action):
        """Run a sidebar step; the sidebar must never take the page down with it."""
        try:
            return action()
        except Exception as error:
            show_error(error)
            return None

    page = st.navigation(pages)
    try:
        state.bootstrap()
        # The sidebar is drawn before the page: a page's st.stop() ends the script, so anything
        # drawn after it would be lost. It is refreshed when the page runs to its end, so it
        # shows what the page just chose.
        # The Train page shows this session's job live: the sidebar leaves it out.
        shown_live = state.current_job_id() if page.url_path == "train" else None
        refresh_sidebar = guarded(lambda: sidebar.render(shown_live))
        page.run()
        if refresh_sidebar is not None:
            guarded(refresh_sidebar)
    except Exception as error:  # the last boundary: no raw traceback ever reaches the page
        show_error(error)


# Streamlit runs this file as the module __main__ (and leaves it installed as sys.modules
# ["__main__"]), so the Dask workers' spawned processes import it again, as __mp_main__: they
# must skip the app (multiprocessing's "safe importing of the main module").
if __name__ == "__main__":
    main()
