"""core.atomic.write_atomic: the whole file or the old one, never half, and no temp files left."""

from __future__ import annotations

import errno
import os

import pytest

from core.atomic import write_atomic
from core.errors import DiskFullError


def test_writes_bytes_and_text(tmp_path):
    assert write_atomic(tmp_path / "a.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert write_atomic(tmp_path / "b.txt", "déjà").read_text(encoding="utf-8") == "déjà"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.bin", "b.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "meta.json"
    target.write_text("old")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(DiskFullError, match="the disk is full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["meta.json"]
