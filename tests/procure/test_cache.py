"""procure.cache: values kept per process until their rows change, built once at a time."""

from __future__ import annotations

import threading
import time

import factories
from procure.cache import count_and_latest, kept
from procure.extensions import db
from procure.models import Product, ProductStatus


def test_a_value_is_built_once_per_key(app):
    built = []
    with app.app_context():
        app.extensions.pop("test_value", None)
        assert kept("test_value", 1, lambda: built.append(1) or "one") == "one"
        assert kept("test_value", 1, lambda: built.append(2) or "other") == "one"
        assert kept("test_value", 2, lambda: built.append(3) or "two") == "two"
    assert built == [1, 3]


def test_threads_asking_together_wait_for_one_build(app):
    built, results = [], []

    def slow():
        built.append(1)
        time.sleep(0.2)
        return "ready"

    def ask():
        with app.app_context():
            results.append(kept("test_slow", "k", slow))

    with app.app_context():
        app.extensions.pop("test_slow", None)
    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [1] and results == ["ready"] * 4


def test_the_key_changes_when_a_row_appears_changes_or_leaves(app, db_session):
    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    listed = (Product.status == ProductStatus.LISTED, Product.deleted_at.is_(None))
    empty = count_and_latest(Product.updated_at, *listed)
    product = factories.listed_product(
        app, supplier, "스마트 가로등", "조도 자동 조절", ["35613000"]
    )
    one = count_and_latest(Product.updated_at, *listed)
    assert one[0] == empty[0] + 1 and one != empty
    product.summary = "조도 자동 조절, 원격 점검"
    db.session.flush()
    changed = count_and_latest(Product.updated_at, *listed)
    assert changed[0] == one[0] and changed != one
    product.status = ProductStatus.SUSPENDED
    db.session.flush()
    assert count_and_latest(Product.updated_at, *listed)[0] == empty[0]
