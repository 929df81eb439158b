"""What only the embedded backend has to prove: several processes on one index directory."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import Query, SearchDocument, SearchUnavailable, backend_from_url
from search.embedded import EmbeddedBackend, to_tantivy
from search_corpus import corpus_documents

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from search import SearchDocument, backend_from_url
backend = backend_from_url("embedded://" + sys.argv[2])
backend.index_documents(
    SearchDocument(id=f"idea:{i}", type="idea", title=f"다른 프로세스 아이디어 {i}")
    for i in range(int(sys.argv[3]))
)
"""


def _run_writer(path: Path, n: int) -> None:
    """Index n documents from a separate Python process."""
    command = [sys.executable, "-c", WRITER, str(ROOT), str(path), str(n)]
    subprocess.run(command, check=True, timeout=60)  # noqa: S603 - our interpreter, our script


def _idea(i: int) -> SearchDocument:
    return SearchDocument(id=f"idea:{i}", type="idea", title=f"가로등 아이디어 {i}")


def test_url_chooses_the_embedded_backend(tmp_path):
    backend = backend_from_url(f"embedded://{tmp_path}/ix", alias="market")
    assert isinstance(backend, EmbeddedBackend)
    assert backend.root == tmp_path / "ix"
    assert backend.alias == "market"


def test_a_reader_sees_another_process_s_commits(embedded_path):
    reader = EmbeddedBackend(embedded_path)
    reader.index_documents(corpus_documents())
    assert reader.search(Query("프로세스")).total == 0
    _run_writer(embedded_path, 5)
    assert reader.search(Query("프로세스")).total == 5
    assert reader.count() == len(corpus_documents()) + 5


def test_a_writer_waits_for_the_other_writer(embedded_path):
    first = EmbeddedBackend(embedded_path)
    second = EmbeddedBackend(embedded_path)
    first.ensure_index()
    holding = threading.Event()
    release = threading.Event()

    def hold_the_lock():
        with first._writer(first._current()) as writer:
            writer.add_document(to_tantivy(_idea(1)))
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    assert holding.wait(5)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    second.index_documents([_idea(2)])
    waited = time.monotonic() - started
    thread.join(5)
    assert waited >= 0.2
    assert {h.id for h in second.search(Query("가로등")).hits} == {"idea:1", "idea:2"}


def test_a_writer_gives_up_after_the_lock_timeout(embedded_path):
    first = EmbeddedBackend(embedded_path)
    second = EmbeddedBackend(embedded_path, lock_timeout=0.2)
    first.ensure_index()
    with first._writer(first._current()), pytest.raises(SearchUnavailable, match="locked"):
        second.index_documents([_idea(1)])


def test_other_processes_follow_a_reindex(embedded_path):
    a = EmbeddedBackend(embedded_path)
    b = EmbeddedBackend(embedded_path)
    a.index_documents(corpus_documents())
    assert b.search(Query("드론")).total == 3
    old = a.health()["index"]
    a.reindex([_idea(1)])
    assert b.search(Query("드론")).total == 0
    assert b.search(Query("가로등")).total == 1
    assert b.health()["index"] != old
    assert not (embedded_path / old).exists()
    # b can write into the new index too.
    b.index_documents([_idea(2)])
    assert a.count() == 2


def test_a_swap_leaves_another_build_in_progress_alone(embedded_path):
    backend = EmbeddedBackend(embedded_path)
    backend.index_documents([_idea(1)])
    building = backend.create_index()  # as another process's reindex would
    backend.reindex([_idea(2)])
    assert (embedded_path / building / "meta.json").exists()


def test_a_failed_reindex_keeps_the_live_index(embedded_path):
    backend = EmbeddedBackend(embedded_path)
    backend.index_documents(corpus_documents())

    def broken():
        yield _idea(1)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        backend.reindex(broken())
    assert backend.count() == len(corpus_documents())
    assert sorted(p.name for p in embedded_path.iterdir() if p.is_dir()) == [
        backend.health()["index"]
    ]


def test_an_invalid_document_writes_nothing(embedded_path):
    backend = EmbeddedBackend(embedded_path)
    with pytest.raises(ValueError, match="timezone"):
        backend.index_documents(
            [_idea(1), {"id": "idea:2", "type": "idea", "title": "x", "published_at": "2026-01-01"}]
        )
    assert backend.count() == 0


def test_the_index_survives_the_process_that_wrote_it(embedded_path):
    _run_writer(embedded_path, 3)
    assert EmbeddedBackend(embedded_path).count() == 3
