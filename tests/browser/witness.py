"""What a benchmark keeps of a browser session that went wrong, for a closer look afterwards: a
screenshot, the page's console, and the elements of its main area (how many; how many Streamlit
marks stale; how many the browser does not show) with its text and address."""

from __future__ import annotations

import json
from pathlib import Path

MAIN_ELEMENTS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const elements = [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stElementContainer"]')];
    return {
        address: location.href,
        text: (main?.textContent || '').slice(0, 2000),
        elements: elements.length,
        stale: elements.filter(element => element.dataset.stale === 'true').length,
        not_shown: elements.filter(element => element.offsetParent === null).length,
        html: (main?.outerHTML || '').slice(0, 20000),
    };
}"""


class Witness:
    """Listens to one page's console from its opening; `keep` writes what it saw."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def keep(self, folder: Path, name: str) -> Path:
        """`folder/name.png` and `folder/name.json`; returns the JSON's path."""
        folder.mkdir(parents=True, exist_ok=True)
        record: dict = {"console": self.console}
        try:
            self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            record["main"] = self.page.evaluate(MAIN_ELEMENTS)
        except Exception as error:  # a closed page: the console is still worth keeping
            record["page"] = f"{type(error).__name__}: {error}"
        path = folder / f"{name}.json"
        path.write_text(json.dumps(record, indent=1))
        return path
