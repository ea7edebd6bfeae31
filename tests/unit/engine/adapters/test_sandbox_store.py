"""The in-memory sandbox store: the contract the SQL-backed store must also meet."""

from __future__ import annotations

import pytest

from engine.adapters.sandbox.store import InMemorySandboxStore, claim_next, walk


def test_put_if_absent_inserts_once_and_keeps_the_first_value(store):
    assert store.put_if_absent("ns", "k", {"v": 1}) is True
    assert store.put_if_absent("ns", "k", {"v": 2}) is False
    assert store.get("ns", "k") == {"v": 1}


def test_put_overwrites_and_namespaces_are_separate(store):
    store.put("a", "k", {"v": 1})
    store.put("a", "k", {"v": 2})
    assert (store.get("a", "k"), store.get("b", "k")) == ({"v": 2}, None)


def test_items_lists_a_namespace(store):
    store.put("ns", "b", {"n": 2})
    store.put("ns", "a", {"n": 1})
    store.put("other", "c", {"n": 3})
    assert sorted(store.items("ns")) == [("a", {"n": 1}), ("b", {"n": 2})]


def test_returned_values_are_copies_that_cannot_change_the_store(store):
    store.put("ns", "k", {"list": [1]})
    store.get("ns", "k")["list"].append(2)  # type: ignore[index]
    assert store.get("ns", "k") == {"list": [1]}


def test_values_must_be_json_serialisable_dicts(store):
    with pytest.raises(TypeError):
        store.put("ns", "k", {"when": object()})
    with pytest.raises(TypeError):
        store.put("ns", "k", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_claim_next_numbers_claims_from_one_without_gaps():
    store = InMemorySandboxStore()
    assert [claim_next(store, "ns", "p", {"i": i}) for i in range(3)] == [1, 2, 3]
    assert walk(store, "ns", "p") == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert walk(store, "ns", "q") == []


def test_a_transaction_lands_all_its_writes_together():
    store = InMemorySandboxStore()
    store.put("ns", "old", {"v": 0})
    with store.transaction() as tx:
        assert tx.put_if_absent("ns", "a", {"v": 1})
        assert not tx.put_if_absent("ns", "a", {"v": 2})  # its own write counts as present
        assert not tx.put_if_absent("ns", "old", {"v": 2})
        tx.put("ns", "old", {"v": 3})
        assert tx.items("ns") == [("a", {"v": 1}), ("old", {"v": 3})]
    assert store.items("ns") == [("a", {"v": 1}), ("old", {"v": 3})]


def test_a_transaction_that_raises_leaves_nothing_behind():
    store = InMemorySandboxStore()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put_if_absent("ns", "a", {"v": 1})
        claim_next(tx, "ns", "p", {"i": 0})
        raise RuntimeError("crash between claim and result")
    assert store.items("ns") == []
    assert claim_next(store, "ns", "p", {"i": 1}) == 1  # no gap left by the lost claim
