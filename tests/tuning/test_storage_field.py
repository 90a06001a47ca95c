"""The Experiments page's storage field: database servers are reached over the network only (no
socket folders), a server that never answers is reported within seconds, and listing the
studies of a file that is not there yet creates nothing."""

from __future__ import annotations

import socket

import pytest

from core.errors import ConfigError
from core.paths import sub_dir
from core.tuning import storage
from core.tuning.storage import list_studies, open_storage, page_storage_url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://user:pass@/optuna?host=/var/run/postgresql",
        "postgresql://user:pass@localhost/optuna?host=/tmp",
        "postgresql://user:pass@%2Fvar%2Frun%2Fpostgresql/optuna",
        "mysql://user:pass@localhost/optuna?unix_socket=/run/mysqld/mysqld.sock",
        "postgresql://user:pass@db/optuna?service=local",
    ],
)
def test_socket_folders_are_refused_from_the_page(url):
    with pytest.raises(ConfigError, match="socket folder"):
        page_storage_url(url)


def test_a_network_database_url_is_accepted():
    url = "postgresql://user:pass@db.example:5432/optuna?sslmode=require"
    assert page_storage_url(url) == url


def test_database_servers_are_opened_with_a_connect_timeout(monkeypatch):
    import sqlalchemy

    seen = {}

    def record(url, **options):
        seen.update(options)
        raise RuntimeError("recorded")

    monkeypatch.setattr(sqlalchemy.engine, "create_engine", record)
    with pytest.raises(ConfigError):
        open_storage("postgresql+psycopg://user:pass@127.0.0.1:1/optuna")
    assert seen["connect_args"]["connect_timeout"] == storage.CONNECT_SECONDS <= 10


def test_a_listener_that_never_answers_is_reported(monkeypatch):
    monkeypatch.setattr(storage, "CONNECT_SECONDS", 1)
    with socket.socket() as listener:  # accepts connections (backlog) and never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        with pytest.raises(ConfigError, match="cannot reach study storage"):
            open_storage(f"postgresql+psycopg://user:pass@127.0.0.1:{port}/optuna")


@pytest.mark.parametrize("typed", ["team.journal", "sub/folder/team.journal", "sqlite:///team.db"])
def test_listing_a_storage_that_is_not_there_creates_nothing(typed):
    folder = sub_dir("studies")
    before = sorted(path.name for path in folder.rglob("*"))
    assert list_studies(page_storage_url(typed)) == []
    assert sorted(path.name for path in folder.rglob("*")) == before
