"""Where studies live: a local journal file by default, any Optuna RDB URL (PostgreSQL, MySQL,
sqlite) for many machines; creating, reopening, listing and stopping studies.
"""

from __future__ import annotations

import importlib.util
import json
import os
import urllib.parse
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import optuna
from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock
from optuna.storages.journal._file import get_lock_file

from core.errors import ConfigError, disk_full
from core.paths import sub_dir
from core.tuning.settings import TuneConfig

JOURNAL_FILE = "studies.journal"
CONFIG_ATTR = "config"
STOP_ATTR = "stop_requested"
NAIVE_ATTR = "naive"
# Settings a reopened study may change: the stop rule. Everything else must match.
STOP_RULE_FIELDS = ("max_trials", "timeout_seconds", "target")
# SQLAlchemy 2 reads a bare postgresql:// as psycopg 3; these modules name the drivers.
POSTGRES_DRIVERS = (("psycopg", "psycopg"), ("psycopg2", "psycopg2"))

_STORAGES: dict[str, optuna.storages.BaseStorage] = {}


def default_storage_url() -> str:
    """The local journal file under the data home (multi-process safe through a lock file)."""
    return str(sub_dir("studies") / JOURNAL_FILE)


def page_storage_url(url: str | None) -> str | None:
    """A storage URL typed on the Experiments page, checked: the server may open a database
    server (postgresql://, mysql://) or a journal / sqlite file inside the data home's studies
    folder, never a file elsewhere (symlinks resolved). The command line is not limited."""
    text = (url or "").strip()
    if not text:
        return None
    scheme, separator, rest = text.partition("://")
    if separator and scheme.split("+")[0] in ("postgresql", "postgres", "mysql"):
        _refuse_socket_folders(text)
        return text
    folder = sub_dir("studies").resolve()
    if separator and scheme == "sqlite":
        path_text = rest[1:] if rest.startswith("/") else rest  # sqlite:///relative, ////absolute
    elif not separator:
        path_text = text
    else:
        path_text = ""
    path = Path(path_text)
    target = (path if path.is_absolute() else folder / path).resolve()
    if not path_text or not target.is_relative_to(folder):
        raise ConfigError(
            f"storage '{_without_password(text)[:120]}' is not allowed from the page: use a "
            f"database URL (postgresql://user:pass@host/db) or a file inside {folder} (e.g. "
            "team.journal or sqlite:///team.db). Other locations work from the command line."
        )
    return f"sqlite:///{target}" if separator else str(target)


SOCKET_PARAMETERS = ("host", "hostaddr", "unix_socket", "unix_sock", "socket", "service")


def _refuse_socket_folders(url: str) -> None:
    """A database URL from the page reaches a server over the network only: no Unix socket
    folder (?host=/dir, a host starting with / or %2F) and no service file of the server's."""
    parts = urllib.parse.urlsplit(url)
    hosts = [parts.netloc.rpartition("@")[2]]
    for name, _value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SOCKET_PARAMETERS:
            hosts.append("/")  # where to connect is the URL's host:port, never a parameter
    if any(urllib.parse.unquote(host).startswith(("/", "@")) for host in hosts):
        raise ConfigError(
            f"storage '{_without_password(url)[:120]}' names a local socket folder or service; "
            "from the page a database is reached by host name and port only (e.g. "
            "postgresql://user:pass@db.example:5432/optuna). Use the command line for sockets."
        )


def resolve_database_url(url: str) -> str:
    """A bare postgresql:// (or postgres://) URL with the PostgreSQL driver that is installed:
    psycopg 3 when present (SQLAlchemy's own default), else psycopg2. Other URLs are returned
    as given, so an explicit postgresql+psycopg2:// always wins."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in ("postgresql", "postgres"):
        return url
    for module, driver in POSTGRES_DRIVERS:
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{driver}://{rest}"
    raise ConfigError(
        f"the storage '{_without_password(url)}' is PostgreSQL but no PostgreSQL driver is "
        "installed; run `pip install -r requirements-postgres.txt` (psycopg 3)."
    )


def _without_password(url: str) -> str:
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def open_storage(url: str | None = None) -> optuna.storages.BaseStorage:
    """A journal file path (default: under the data home) or an Optuna RDB URL such as
    postgresql://user:password@host/db; one storage object per URL and process."""
    url = url or default_storage_url()
    if url in _STORAGES:
        return _STORAGES[url]
    if "://" in url:
        database_url = resolve_database_url(url)
        shown = _without_password(url)
        try:
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
            storage: optuna.storages.BaseStorage = optuna.storages.RDBStorage(
                database_url,
                engine_kwargs=None if url.startswith("sqlite") else _network_options(),
                heartbeat_interval=30,
                grace_period=120,
            )
        except (ImportError, ValueError) as error:
            raise ConfigError(
                f"cannot open study storage '{shown}' ({error}); check the URL and that its "
                "database driver is installed (PostgreSQL: pip install -r "
                "requirements-postgres.txt)."
            ) from error
        except Exception as error:  # sqlalchemy's OperationalError and friends: a bad server
            first_line = str(error).splitlines()[0] if str(error) else ""
            raise ConfigError(
                f"cannot reach study storage '{shown}' ({type(error).__name__}: {first_line}); "
                "check host, port, user, password and that the database exists."
            ) from error
    else:
        path = Path(url).expanduser()
        if path.is_dir():
            path = path / JOURNAL_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            storage = optuna.storages.JournalStorage(
                JournalFile(str(path), lock_obj=JournalFileOpenLock(str(path)))
            )
        except OSError as error:
            full = disk_full(error, f"the search's journal ({path.name})")
            if full is None:
                raise
            raise full from None
    _STORAGES[url] = storage
    return storage


def _write_and_sync(descriptor: int, data: bytes) -> None:
    """Write all of `data` at the end of the open file and flush it to the disk."""
    rest = memoryview(data)
    while rest:
        rest = rest[os.write(descriptor, rest) :]
    os.fsync(descriptor)


class JournalFile(JournalFileBackend):
    """Optuna's journal file, whose failed append leaves no half-written line: the file is cut
    back to its length before the append (a partial line would glue itself to the next one and
    make the journal unreadable), and a full disk is a DiskFullError (one plain message)."""

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        text = "\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n"
        try:
            with get_lock_file(self._lock):  # its lock file may not fit on a full disk either
                self._append(text.encode("utf-8"))
        except OSError as error:
            full = disk_full(error, f"the search's journal ({Path(self._file_path).name})")
            if full is None:
                raise
            raise full from None

    def _append(self, data: bytes) -> None:
        descriptor = os.open(self._file_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            length = os.fstat(descriptor).st_size
            try:
                _write_and_sync(descriptor, data)
            except OSError:
                os.ftruncate(descriptor, length)  # cutting back needs no free space
                raise
        finally:
            os.close(descriptor)


CONNECT_SECONDS = 5  # a server that never answers is reported after this, not minutes later


def _network_options() -> dict[str, Any]:
    """Engine options for a database server: check connections before use, and give up
    connecting after CONNECT_SECONDS (psycopg, psycopg2 and the MySQL drivers all read
    connect_timeout)."""
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": CONNECT_SECONDS}}


def _missing_file(url: str | None) -> bool:
    """Whether `url` is a journal or sqlite file that does not exist yet (opening it would
    create it)."""
    url = url or default_storage_url()
    scheme, separator, rest = url.partition("://")
    if separator and scheme != "sqlite":
        return False
    path = Path(rest[1:] if separator else url).expanduser()
    if not separator and path.is_dir():
        path = path / JOURNAL_FILE
    return not path.exists()


def default_study_name(config: TuneConfig) -> str:
    return f"{config.strategy}-{config.space.name}-{config.fingerprint()}"


def create_study(
    config: TuneConfig, name: str | None = None, storage: str | None = None
) -> optuna.Study:
    """Create the study (or reopen one with the same name); settings go into its user attrs.

    Reopening keeps the stored search space and data but takes the new stop rule (trials,
    time budget, target), so a finished study can be extended.
    """
    name = name or default_study_name(config)
    backend = open_storage(storage)
    study = optuna.create_study(
        study_name=name, storage=backend, direction="minimize", load_if_exists=True
    )
    stored = study.user_attrs.get(CONFIG_ATTR)
    if stored is None:
        study.set_user_attr(CONFIG_ATTR, config.to_dict())
        study.set_user_attr("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    else:
        previous = TuneConfig.from_dict(stored)
        if _without_stop_rule(previous) != _without_stop_rule(config):
            raise ConfigError(
                f"study '{name}' already exists with other settings (strategy "
                f"{previous.strategy}, space {previous.space.name}, objective "
                f"{previous.objective}); pick a new study name, or resume it without changing "
                "its settings."
            )
        updated = previous.replace(
            **{field_name: getattr(config, field_name) for field_name in STOP_RULE_FIELDS}
        )
        study.set_user_attr(CONFIG_ATTR, updated.to_dict())
    study.set_user_attr(STOP_ATTR, False)
    return study


def _without_stop_rule(config: TuneConfig) -> dict[str, Any]:
    return {key: value for key, value in config.to_dict().items() if key not in STOP_RULE_FIELDS}


def load_study(name: str, storage: str | None = None) -> optuna.Study:
    backend = open_storage(storage)
    try:
        return optuna.load_study(study_name=name, storage=backend)
    except KeyError as error:
        known = [summary.study_name for summary in optuna.get_all_study_summaries(backend)]
        raise ConfigError(
            f"no study named '{name}' in {_without_password(storage or default_storage_url())}; "
            f"known studies: {', '.join(known) or 'none'}."
        ) from error


def study_config(study: optuna.Study) -> TuneConfig:
    stored = study.user_attrs.get(CONFIG_ATTR)
    if stored is None:
        raise ConfigError(
            f"study '{study.study_name}' was not created by Forecast Lab (no settings stored); "
            "create it with `python -m core tune`."
        )
    return TuneConfig.from_dict(stored)


def list_studies(storage: str | None = None) -> list[dict[str, Any]]:
    """Name, strategy, objective, trial counts and best value of every study in the storage.
    A journal or sqlite file that is not there yet lists nothing and is not created: only
    starting a search creates storage."""
    if _missing_file(storage):
        return []
    backend = open_storage(storage)
    rows = []
    for summary in optuna.get_all_study_summaries(backend, include_best_trial=True):
        config = summary.user_attrs.get(CONFIG_ATTR, {})
        best = summary.best_trial
        rows.append(
            {
                "name": summary.study_name,
                "strategy": config.get("strategy"),
                "space": config.get("space", {}).get("name"),
                "objective": config.get("objective"),
                "trials": summary.n_trials,
                "best": None if best is None else best.value,
                "created_at": summary.user_attrs.get("created_at"),
            }
        )
    return sorted(rows, key=lambda row: row["created_at"] or "", reverse=True)


def delete_study(name: str, storage: str | None = None) -> None:
    optuna.delete_study(study_name=name, storage=open_storage(storage))


def request_stop(name: str, storage: str | None = None) -> None:
    """Ask every worker of the study to stop after its current trial (finished trials stay)."""
    load_study(name, storage).set_user_attr(STOP_ATTR, True)


__all__ = [
    "CONFIG_ATTR",
    "NAIVE_ATTR",
    "STOP_ATTR",
    "create_study",
    "default_storage_url",
    "page_storage_url",
    "default_study_name",
    "delete_study",
    "list_studies",
    "load_study",
    "open_storage",
    "request_stop",
    "resolve_database_url",
    "study_config",
]
