"""On the Train page: trainings a previous server process lost when it stopped (a crash, kill -9),
each with a one-click restart, from the job registry's leftover in-progress markers."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from pages.components import owner, services, state
from pages.components.plain import plain


def _mine() -> list:
    """The interrupted trainings this browser started (an admin: all); others' stay hidden.
    Markers written before owners were kept (owner None) are shown to everyone, as then."""
    viewer = owner.viewer()
    lost_jobs = services.registry().interrupted()
    return [lost for lost in lost_jobs if lost.owner is None or viewer.may_manage(lost.owner)]


def _start_again(key: str) -> None:
    registry = services.registry()
    for lost in _mine():
        if lost.key == key:
            state.set_request(lost.request)
            state.set_job_id(registry.submit(lost.request, owner=lost.owner))
            registry.dismiss_interrupted(key)  # also when the data changed since and the key


def _dismiss(key: str) -> None:
    if any(lost.key == key for lost in _mine()):
        services.registry().dismiss_interrupted(key)


def render() -> None:
    """A notice per interrupted training of this browser, with Start it again and Dismiss."""
    for lost in _mine():
        when = dt.datetime.fromtimestamp(lost.started_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with st.container(border=True):
            st.warning(
                f"**A training was interrupted**: {plain(lost.label)}, started {when}. The server "
                "stopped before it finished, so nothing of it was saved.",
                icon=":material/report:",
            )
            left, right, _ = st.columns([1, 1, 3])
            left.button(
                "Start it again",
                type="primary",
                icon=":material/restart_alt:",
                on_click=_start_again,
                args=(lost.key,),
                key=f"restart_{lost.key}",
                help="Trains the same settings from the start, in the background.",
            )
            right.button(
                "Dismiss",
                on_click=_dismiss,
                args=(lost.key,),
                key=f"dismiss_{lost.key}",
                help="Forget this interrupted training.",
            )
