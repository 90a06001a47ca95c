"""Class benchmark (prints figures, asserts nothing): N Chromium sessions on one fresh server, each
with a different what-if, press "Train the model" together; per session: seconds from the click
to its place in line (with the expected wait) or its first epoch, to Results, and how the
expected wait compared with the real one. With --join, one extra `dask worker` process joins the
server's cluster over loopback first, and the table shows which worker ran each training.
"Shown" is measured twice: in the page (from the click event to the first frame drawn with the
place or the start, on the browser's own clock) and as this process's probe read it (every
PROBE_MS, from the return of the click call).
With --browsers-niceness N the browsers (and their driver) run at that niceness: a class's
browsers run on the students' own machines, not on the server's cores.
Run: python -m tests.browser.bench_class --sessions 10 [--join] [--keep] [--browsers-niceness N]"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.config import RunRequest
from core.links import request_to_query
from tests.browser.cpu import CpuMeter, phase_words, renice_browsers
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, REPO, free_port, running_app
from tests.browser.witness import Witness

TARGETS = {"median": 60.0, "last": 150.0, "shown": 1.0}
# The first estimate is made before anything ran on a fresh server; this one after the first
# trainings' epochs could show how busy the machine is (reported next to the first).
LATER_SECONDS = 15.0
PROBE_MS = 200  # how often each session reads its page (the precision of every figure)
PLACE = re.compile(r"number (\d+) in line(?:, about (\d+) (s|min) to wait)?")
# textContent, not innerText: reading it forces no layout (ten browsers probed five times a
# second each spent a good share of the machine laying pages out for the probe).
STATUS = """() => {
    const main = document.querySelector('[data-testid="stMain"]')?.textContent || '';
    const training = /Epoch \\d+ of at most|After training, step/;
    const starting = /Starting the worker|Preparing the network/;
    if (training.test(main) || starting.test(main)) {
        return 'running';
    }
    const place = main.match(/number \\d+ in line[^.]*/);
    if (place) return place[0];
    if (/See the results/.test(main)) return 'done';
    if (document.querySelector('[data-testid="stAlertContentError"]')) return 'error';
    return '';
}"""
# The page reads its own status every PROBE_MS inside the browser and answers only when it
# changed: no DevTools round trip per reading (ten sessions asking through Playwright five
# times a second each kept its driver, Chromium's browser process and this process busy).
CHANGED = f"""last => {{
    const status = ({STATUS})();
    return status && status !== last ? status : false;
}}"""
# Every WebSocket message the page sends or receives between the click and the place shown, on
# the page's clock: from the click to the rerun request sent (the browser before the server),
# from there to the last message received before the place was drawn (the server, and the
# network), and from that message to the frame drawn (the browser after the server).
SOCKET_CLOCK = """(() => {
    const Native = window.WebSocket;
    const watching = () => {
        const clock = window.__forecastLabClock;
        return clock && clock.clicked !== null && clock.shown === null ? clock : null;
    };
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => {
                watching()?.received.push(performance.timeOrigin + performance.now());
            });
        }
        send(data) {
            watching()?.sent.push(performance.timeOrigin + performance.now());
            return super.send(data);
        }
    };
})()"""
# The page's own clock, which the probe's period and the way back to this process do not blur:
# the click as the browser received it (the event's timeStamp), and the first frame drawn after
# the main area first showed a place in line or a start (a MutationObserver, then the next
# animation frame). Installed just before the click.
STOPWATCH = f"""() => {{
    const clock = {{clicked: null, shown: null, sent: [], received: []}};
    window.__forecastLabClock = clock;
    window.addEventListener('click', event => {{
        if (clock.clicked === null) clock.clicked = performance.timeOrigin + event.timeStamp;
    }}, {{capture: true}});
    const main = document.querySelector('[data-testid="stMain"]');
    const observer = new MutationObserver(() => {{
        if (clock.clicked === null) return;
        const status = ({STATUS})();
        if (!(status === 'running' || status.startsWith('number'))) return;
        observer.disconnect();
        const drawn = () => {{ clock.shown = performance.timeOrigin + performance.now(); }};
        requestAnimationFrame(drawn);
    }});
    observer.observe(main, {{subtree: true, childList: true, characterData: true}});
}}"""


def what_ifs() -> list[tuple[str, RunRequest]]:
    """Ten distinct what-ifs, one per student (the issue's list)."""
    base = RunRequest()
    model, split = base.model, base.split
    return [
        ("units 16", base.replace(model=model.replace(units=16))),
        ("units 64", base.replace(model=model.replace(units=64))),
        ("GRU", base.replace(model=model.replace(family="gru"))),
        ("Dense", base.replace(model=model.replace(family="dense"))),
        ("SimpleRNN", base.replace(model=model.replace(family="simple_rnn"))),
        ("window 60", base.replace(split=split.replace(lookback=60))),
        ("window 14", base.replace(split=split.replace(lookback=14))),
        ("GRU 48", base.replace(model=model.replace(family="gru", units=48))),
        ("two layers", base.replace(model=model.replace(hidden_layers=1))),
        ("relu", base.replace(model=model.replace(activation="relu"))),
    ]


def _browser_cpu(cdp) -> tuple[float, float]:
    """CPU seconds this session's Chromium spent so far: (all its processes, its renderers),
    as Chromium itself counts them (DevTools SystemInfo.getProcessInfo)."""
    processes = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    total = sum(process["cpuTime"] for process in processes)
    return total, sum(p["cpuTime"] for p in processes if p["type"] == "renderer")


# A session's phases: from the click to its first epoch on screen (waiting in line and the
# start), to "See the results" (training), and from that button to the Results page drawn.
PHASES = ("waiting", "training", "to Results")


def _session(browser, url, label: str, request: RunRequest, go: threading.Event, out: dict, folder):
    """One student: open Train with the what-if, wait for everyone, press, watch until Results."""
    record: dict = {"label": label, "statuses": []}
    out[label] = record
    witness = None
    try:
        cdp = browser.new_browser_cdp_session()
        page = browser.new_page(viewport={"width": 1300, "height": 1400})
        witness = Witness(page)
        page.add_init_script(SOCKET_CLOCK)
        query = "&".join(f"{key}={value}" for key, value in request_to_query(request).items())
        button = page.get_by_role("button", name="Train the model")
        for attempt in range(4):
            page.goto(f"{url}/train?{query}", timeout=180_000)  # 20 browsers starting at once
            button.wait_for(timeout=180_000)
            time.sleep(1.0)
            wanted = request_to_query(request).items()
            if all(f"{key}={value}" in page.url for key, value in wanted):
                break
            # The page came up without the link's settings (seen with 10 sessions loading at
            # once): counted, and loaded again, so each session trains its own what-if.
            record["settings_lost"] = attempt + 1
        record["ready"] = True
        go.wait()
        cpu_marks = [_browser_cpu(cdp)]
        page.evaluate(STOPWATCH)
        button.click()
        clicked = time.monotonic()
        record["clicked"] = clicked
        last = ""
        while True:
            left = 900 - (time.monotonic() - clicked)
            if left <= 0:
                raise RuntimeError("no Results within 15 minutes")
            try:
                answer = page.wait_for_function(
                    CHANGED, arg=last, polling=PROBE_MS, timeout=left * 1000
                )
            except PlaywrightTimeout:
                continue
            status = answer.json_value()
            now = time.monotonic() - clicked
            record["statuses"].append((round(now, 2), status))
            last = status
            if status.startswith("number") and "place_at" not in record:
                record["place_at"], record["place_text"] = now, status
            if status == "running" and "started_at" not in record:
                record["started_at"] = now
                cpu_marks.append(_browser_cpu(cdp))
            if "shown_in_page" not in record:
                clock = page.evaluate("() => window.__forecastLabClock")
                if clock["shown"] is not None:
                    record["shown_in_page"] = (clock["shown"] - clock["clicked"]) / 1000
                    record["shown_parts"] = _shown_parts(clock)
            if status == "error":
                box = page.locator('[data-testid="stAlertContentError"]').first
                raise RuntimeError(box.inner_text())
            if status == "done":
                break
        if len(cpu_marks) == 1:  # its first epoch was never seen (a short training)
            cpu_marks.append(cpu_marks[0])
        done_at = time.monotonic() - clicked
        cpu_marks.append(_browser_cpu(cdp))
        page.get_by_role("button", name="See the results").click()
        page.locator('[data-testid="stMain"] h1', has_text="Results").wait_for(timeout=120_000)
        page.locator('[data-testid="stMain"] .js-plotly-plot').first.wait_for(timeout=120_000)
        record["results_at"] = time.monotonic() - clicked
        cpu_marks.append(_browser_cpu(cdp))
        seconds = (record.get("started_at", done_at), done_at - record.get("started_at", done_at),
                   record["results_at"] - done_at)  # fmt: skip
        record["phases"] = {
            phase: (after[0] - before[0], after[1] - before[1], wall)
            for phase, before, after, wall in zip(
                PHASES, cpu_marks[:-1], cpu_marks[1:], seconds, strict=True
            )
        }
        page.close()
    except Exception as error:  # a benchmark reports, it does not stop the other sessions
        record["error"] = f"{type(error).__name__}: {error}"[:300]
        if witness is not None:  # what the page showed then, kept with the server's log
            record["kept"] = str(witness.keep(folder / "failures", label.replace(" ", "-")))


def _shown_parts(clock: dict) -> tuple[float, float, float] | None:
    """(click -> request sent, -> last answer before the place was drawn, -> drawn), seconds."""
    sent = [at for at in clock["sent"] if at >= clock["clicked"]]
    received = [at for at in clock["received"] if sent and sent[0] <= at <= clock["shown"]]
    if not sent or not received:
        return None
    marks = (clock["clicked"], sent[0], received[-1], clock["shown"])
    return tuple(
        (after - before) / 1000 for before, after in zip(marks[:-1], marks[1:], strict=True)
    )


def _expected_seconds(text: str) -> float | None:
    match = PLACE.search(text or "")
    if not match or match.group(2) is None:
        return None
    return float(match.group(2)) * (60 if match.group(3) == "min" else 1)


def _join_worker(scheduler: str, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "distributed.cli.dask_worker", scheduler, "--nthreads", "1",
        "--name", "joined", "--preload", "core.runs.preload", "--no-dashboard",
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--join", action="store_true", help="one extra worker joins over loopback")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the data home, the server log and each session's statuses",
    )
    parser.add_argument(
        "--browsers-niceness",
        type=int,
        default=0,
        help="run Chromium and Playwright at this niceness (19: as if on other machines)",
    )
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="forecast-lab-class-"))
    port = free_port()
    env = {"FORECAST_LAB_SCHEDULER_PORT": str(port)}
    joined = None
    # Past ten sessions the what-ifs repeat (as a class following its teacher), each its own row.
    cases = [
        (label if number < 10 else f"{label} #{number // 10 + 1}", request)
        for number, (label, request) in enumerate(what_ifs() * (1 + options.sessions // 10))
    ][: options.sessions]
    load_before = os.getloadavg()
    meter = CpuMeter()
    meter.start()
    if options.browsers_niceness:
        threading.Thread(
            target=renice_browsers, args=(options.browsers_niceness,), daemon=True
        ).start()
    with running_app(folder / "home", folder / "server.log", env) as url:
        out: dict = {}
        go = threading.Event()
        # Playwright's sync API is bound to one thread: each session has its own browser.
        threads = []
        for label, request in cases:
            thread = threading.Thread(
                target=_threaded_session, args=(url, label, request, go, out, folder), daemon=True
            )
            thread.start()
            threads.append(thread)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and _ready(out) < len(cases):
            time.sleep(0.2)
        if options.join:  # the embedded scheduler runs once the first page has loaded
            joined = _join_worker(f"tcp://127.0.0.1:{port}", folder / "joined.log")
            time.sleep(25)  # it registers and imports TensorFlow (a benchmark, not a test)
        loaded = meter.checkpoint()
        go.set()
        for thread in threads:
            thread.join()
        placements = _placements(f"tcp://127.0.0.1:{port}")
    if joined is not None:
        joined.terminate()
    meter.stop()
    _report(out, options, load_before, os.getloadavg(), placements)
    print(meter.report(trainings=len(cases)))
    print(
        f"  before the clicks (server start, {len(cases)} pages loaded): {phase_words({}, loaded)}"
    )
    runs = [path for path in (folder / "home" / "runs").glob("*") if not path.name.startswith(".")]
    print(f"distinct trainings stored: {len(runs)} for {len(cases)} distinct what-ifs")
    kept = options.keep or (folder / "failures").is_dir()  # a failure's traces are kept
    if kept:  # every session's statuses as seen, with their times, for a closer look
        (folder / "sessions.json").write_text(json.dumps(out, indent=1, default=str))
    print(f"data home, server log, failures and sessions.json in {folder}" if kept else "", end="")
    if not kept:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _ready(out: dict) -> int:
    return sum(bool(record.get("ready")) for record in list(out.values()))


def _threaded_session(url, label, request, go, out, folder) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            _session(browser, url, label, request, go, out, folder)
        finally:
            browser.close()


def _placements(scheduler: str) -> list[str]:
    """Which worker started each training: the 'started' events the tasks sent (kept by the
    scheduler, core.runs.preload), by worker name."""
    from distributed import Client

    from core.runs.preload import TOPIC

    with Client(scheduler, timeout=30) as client:
        names = {
            address: str(info.get("name"))
            for address, info in client.scheduler_info(n_workers=-1)["workers"].items()
        }
        events = client.get_events(TOPIC)
    return [
        f"{message.get('function')} on {names.get(message['worker'], message['worker'])}"
        for _, message in events
        if message.get("kind") == "started" and message.get("function") == "train_request"
    ]


def _report(out: dict, options, load_before, load_after, placements: list[str]) -> None:
    rows = sorted(out.values(), key=lambda row: row.get("results_at", 1e9))
    print(
        f"Class benchmark: {options.sessions} Chromium sessions, distinct what-ifs, pressed at once"
        f"{' (one extra worker joined over loopback)' if options.join else ''}"
        + (f" (browsers at niceness {niceness})" if (niceness := options.browsers_niceness) else "")
    )
    print(f"load average before {load_before[0]:.2f} / after {load_after[0]:.2f} (1 min)")
    print(
        f"{'what-if':<12} {'page':>5} {'probe':>6} {'place':<40} {'start':>7} {'results':>8} "
        f"{'expected':>8}"
    )
    ratios = []
    for row in rows:
        shown = row.get("place_at", row.get("started_at"))
        expected = _expected_seconds(row.get("place_text", ""))
        start = row.get("started_at")
        if expected and start is not None and shown is not None:
            ratios.append((start - shown) / expected)
        print(
            f"{row['label']:<12} {_num(row.get('shown_in_page'), 2):>5} {_num(shown):>6} "
            f"{row.get('place_text', '-'):<40} "
            f"{_num(start):>7} {_num(row.get('results_at')):>8} {_num(expected):>8}"
            f"{'  ERROR ' + row['error'] if 'error' in row else ''}"
        )
    finished = [row["results_at"] for row in rows if "results_at" in row]
    errors = [row for row in rows if "error" in row]
    shown = [row.get("place_at", row.get("started_at")) for row in rows]
    if finished:
        median, last = statistics.median(finished), max(finished)
        print(
            f"click -> Results: median {median:.1f} s (target <= {TARGETS['median']:g}: "
            f"{'met' if median <= TARGETS['median'] else 'MISSED'}), last {last:.1f} s "
            f"(target <= {TARGETS['last']:g}: {'met' if last <= TARGETS['last'] else 'MISSED'})"
        )
    in_page = [row.get("shown_in_page") for row in rows]
    for words, values in (("the page's own clock", in_page), ("as the probe read it", shown)):
        late = [value for value in values if value is None or value > TARGETS["shown"]]
        known = sorted(value for value in values if value is not None)
        print(
            f"place or first epoch shown within {TARGETS['shown']:g} s ({words}): "
            f"{len(values) - len(late)} of {len(values)}"
            + (
                f"; median {statistics.median(known):.2f} s, slowest {known[-1]:.2f} s"
                if known
                else ""
            )
        )
    parts = [row["shown_parts"] for row in rows if row.get("shown_parts")]
    if parts:
        words = ("click -> request sent", "-> last answer before it", "-> drawn")
        print(
            "  where the page's time went (median, slowest over the sessions): "
            + "; ".join(
                f"{word} {statistics.median(p[i] for p in parts):.2f} / "
                f"{max(p[i] for p in parts):.2f} s"
                for i, word in enumerate(words)
            )
        )
    if ratios:
        inside = sum(0.7 <= ratio <= 1.3 for ratio in ratios)
        print(
            f"real wait / expected wait: {', '.join(f'{r:.2f}' for r in ratios)} "
            f"({inside} of {len(ratios)} within +-30%)"
        )
    later = [ratio for row in rows if (ratio := _ratio_at(row, LATER_SECONDS)) is not None]
    if later:
        inside = sum(0.7 <= ratio <= 1.3 for ratio in later)
        print(
            f"the same, for the estimate on screen {LATER_SECONDS:g} s after the click (sessions "
            f"still waiting then): {', '.join(f'{r:.2f}' for r in later)} "
            f"({inside} of {len(later)} within +-30%)"
        )
    print(f"errors: {len(errors)}")
    lost = [row["label"] for row in rows if row.get("settings_lost")]
    if lost:
        print(f"page loads that lost the link's settings (loaded again): {', '.join(lost)}")
    workers: dict[str, int] = {}
    for line in placements:
        worker = line.rsplit(" on ", 1)[-1]
        workers[worker] = workers.get(worker, 0) + 1
    if workers:
        print("tasks started per worker: " + ", ".join(f"{w}: {n}" for w, n in workers.items()))
    _report_phases(rows)


def _report_phases(rows: list[dict]) -> None:
    """Each session's Chromium CPU by phase (Chromium's own count): the totals over the
    sessions, and the rate per second of the phase (median over the sessions)."""
    measured = [row["phases"] for row in rows if "phases" in row]
    if not measured:
        return
    print(f"Chromium CPU by phase ({len(measured)} sessions; all its processes / renderers):")
    for phase in PHASES:
        total = sum(phases[phase][0] for phases in measured)
        renderer = sum(phases[phase][1] for phases in measured)
        wall = sum(phases[phase][2] for phases in measured)
        rates = [phases[phase][0] / phases[phase][2] for phases in measured if phases[phase][2] > 0]
        print(
            f"  {phase:<11} {total:6.1f} s / {renderer:6.1f} s over {wall:6.0f} s of sessions' "
            f"time: {total / len(measured):5.2f} s per session, median "
            f"{statistics.median(rates) if rates else 0:.3f} s of CPU per second"
        )


def _ratio_at(row: dict, when: float) -> float | None:
    """Real wait / expected wait for the estimate on screen `when` s after the click: the last
    place text shown by then (the panel redraws it at every poll, so unchanged words are the
    current estimate), against the start that followed."""
    start = row.get("started_at")
    shown = [status for at, status in row.get("statuses", []) if at <= when]
    expected = _expected_seconds(shown[-1]) if shown else None
    if start is None or start <= when or not expected:
        return None
    return (start - when) / expected


def _num(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    main()
