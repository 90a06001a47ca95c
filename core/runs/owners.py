"""Who made which run and job, without logins: each browser carries an owner id (a random
token, see pages/components/owner.py), kept per run beside the run store. The owner may delete,
restart, cancel or dismiss; everyone else may open a shared run read-only; an admin (the
teacher, who typed FORECAST_LAB_ADMIN_TOKEN) may manage everything."""

from __future__ import annotations

import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

from core.atomic import write_atomic

ADMIN_TOKEN_ENV = "FORECAST_LAB_ADMIN_TOKEN"
OWNERS_FOLDER = ".owners"  # inside the run store; dotted, so never listed as a run
OWNER_ID = re.compile(r"[0-9a-f]{32}")
KEY = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True)
class Viewer:
    """The browser looking at a page: its owner id, and whether it holds the admin token."""

    owner_id: str
    admin: bool = False

    def may_manage(self, owner: str | None) -> bool:
        """Delete, restart, cancel, dismiss: the owner of the thing, or an admin. Runs from
        before owners were kept, or from the command line (owner None): an admin only."""
        return self.admin or (owner is not None and hmac.compare_digest(owner, self.owner_id))


def admin_token_matches(token: str | None) -> bool:
    """Whether `token` is the FORECAST_LAB_ADMIN_TOKEN (never true when that is unset)."""
    expected = os.environ.get(ADMIN_TOKEN_ENV, "")
    return bool(expected and token) and hmac.compare_digest(str(token), expected)


def admin_configured() -> bool:
    return bool(os.environ.get(ADMIN_TOKEN_ENV, ""))


class RunOwners:
    """Owner id per run key: one small file each under <run store>/.owners (atomic writes)."""

    def __init__(self, store_root: Path) -> None:
        self.folder = Path(store_root) / OWNERS_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)

    def claim(self, key: str, owner: str | None) -> None:
        """Record the first owner of a run; later claims (the same settings trained by
        someone else) change nothing."""
        if owner is None or not OWNER_ID.fullmatch(owner) or not KEY.fullmatch(key):
            return
        path = self.folder / key
        if not path.exists():
            write_atomic(path, owner)

    def owner_of(self, key: str) -> str | None:
        if not KEY.fullmatch(str(key)):
            return None
        try:
            text = (self.folder / key).read_text().strip()
        except OSError:
            return None
        return text if OWNER_ID.fullmatch(text) else None

    def forget(self, key: str) -> None:
        if KEY.fullmatch(str(key)):
            (self.folder / key).unlink(missing_ok=True)


UPLOAD_NAME = re.compile(r"[0-9a-f]{16}_[A-Za-z0-9._-]{1,80}")  # save_upload's names
HIDDEN_FILE = "a file someone uploaded"


class UploadOwners:
    """Who uploaded which file: the owner ids per stored upload (one small file each). An
    upload's name is its uploader's: only they and an admin see it; a shared link names the
    upload by its content hash (core.links). Uploads from the command line have no owner."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def claim(self, reference: str, owner: str | None) -> None:
        name = Path(str(reference)).name
        if owner is None or not OWNER_ID.fullmatch(owner) or not UPLOAD_NAME.fullmatch(name):
            return
        owners = self.owners_of(name)
        if owner not in owners:
            write_atomic(self.folder / name, "\n".join(sorted(owners | {owner})))

    def owners_of(self, reference: str) -> set[str]:
        name = Path(str(reference)).name
        if not UPLOAD_NAME.fullmatch(name):
            return set()
        try:
            text = (self.folder / name).read_text()
        except OSError:
            return set()
        return {line for line in text.split() if OWNER_ID.fullmatch(line)}

    def may_see(self, viewer: Viewer, reference: str | None) -> bool:
        """Whether `viewer` may see this upload's file name (its uploader, or an admin)."""
        return viewer.admin or (
            reference is not None and viewer.owner_id in self.owners_of(reference)
        )


__all__ = [
    "ADMIN_TOKEN_ENV",
    "HIDDEN_FILE",
    "RunOwners",
    "UploadOwners",
    "Viewer",
    "admin_configured",
    "admin_token_matches",
]
