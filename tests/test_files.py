"""Staged writing: outputs appear whole in their place, or not at all."""

from pathlib import Path

import pytest

from api.core.files import move_files, staging_folder


def test_staged_files_move_into_place_and_the_staging_folder_goes(tmp_path: Path) -> None:
    target = tmp_path / "build"  # made by staging_folder
    with staging_folder(target, ".staging-") as staging:
        assert staging.parent == target
        (staging / "a.txt").write_text("new", encoding="utf-8")
        (staging / "b.txt").write_text("b", encoding="utf-8")
        move_files(staging, target, ["a.txt", "b.txt"])
    assert (target / "a.txt").read_text(encoding="utf-8") == "new"
    assert (target / "b.txt").read_text(encoding="utf-8") == "b"
    assert not list(target.glob(".staging-*"))


def test_a_failure_leaves_the_old_files_and_no_staging_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), staging_folder(tmp_path, ".staging-") as staging:
        (staging / "a.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("the write failed")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".staging-*"))
