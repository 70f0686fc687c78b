"""The data registry covers the schema exactly and says what happens to everything."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from bot.privacy import registry
from storage.tables import metadata


def test_every_table_of_the_schema_is_registered_and_nothing_else() -> None:
    assert sorted(e.name for e in registry.TABLES) == sorted(metadata.tables)
    assert len({e.name for e in registry.TABLES}) == len(registry.TABLES)


def test_every_column_is_in_exactly_one_group_of_its_table() -> None:
    for entry in registry.TABLES:
        listed = Counter(entry.columns)
        assert [c for c, n in listed.items() if n > 1] == [], entry.name
        assert set(listed) == set(metadata.tables[entry.name].columns.keys()), entry.name


def test_categories_bases_and_dispositions_are_from_the_fixed_lists() -> None:
    for entry in registry.TABLES:
        assert entry.disposition in registry.DISPOSITIONS, entry.name
        for group in entry.groups:
            assert group.category in registry.CATEGORIES, (entry.name, group.columns)
            assert group.basis in registry.LEGAL_BASES, (entry.name, group.columns)
            assert group.purpose and group.columns, entry.name
    for blob in registry.BLOBS:
        assert blob.category in registry.CATEGORIES and blob.basis in registry.LEGAL_BASES
        assert blob.disposition in registry.DISPOSITIONS


def test_only_anonymised_tables_keep_rows_for_years_and_clear_nullable_columns() -> None:
    for entry in registry.TABLES:
        table = metadata.tables[entry.name]
        if entry.disposition == "anonymise":
            assert entry.keep_years is not None and entry.keep_years > 0, entry.name
            assert entry.anonymise, entry.name
            assert all(table.c[c].nullable for c in entry.anonymise), entry.name
        else:
            assert (entry.keep_years, entry.anonymise) == (None, ()), entry.name


def test_every_personal_or_erased_table_links_its_rows_to_a_person() -> None:
    for entry in registry.TABLES:
        if entry.personal or entry.disposition != "none":
            assert entry.link is not None, entry.name
        if entry.link is None:
            continue
        assert entry.link.column in metadata.tables[entry.name].c, entry.name
        if entry.link.via is not None:
            assert "user_id" in metadata.tables[entry.link.via].c, entry.name


def test_tables_kept_on_erasure_hold_nothing_that_names_a_person() -> None:
    kept = [e for e in registry.TABLES if e.disposition == "none"]
    expected = {
        "audit_log",
        "processed_updates",
        "erasure_receipts",
        "provider_usage",
        "discord_guilds",
    }
    assert {e.name for e in kept} == expected
    assert all(not e.personal and e.link is None for e in kept)
    assert all("user_id" not in metadata.tables[e.name].c for e in kept)


def test_erasure_removes_rows_that_reference_a_table_before_the_table_itself() -> None:
    order = [e.name for e in registry.TABLES]
    for entry in registry.TABLES:
        if entry.disposition != "delete":
            continue
        for fk in metadata.tables[entry.name].foreign_keys:
            parent = fk.column.table.name
            if registry.table(parent).disposition == "delete":
                assert order.index(entry.name) < order.index(parent), (entry.name, parent)


def test_sealed_groups_are_binary_columns() -> None:
    for entry in registry.TABLES:
        for group in entry.groups:
            if group.sealed:
                for column in group.columns:
                    column_type = metadata.tables[entry.name].c[column].type
                    assert isinstance(column_type, sa.LargeBinary), (entry.name, column)


def test_financial_records_are_unlinked_but_keep_the_payment_reference() -> None:
    ledger = registry.table("credit_ledger")
    assert ledger.disposition == "anonymise"
    assert ledger.keep_years == registry.FINANCIAL_RETENTION_YEARS == 7
    assert ledger.anonymise == ("user_id",)
    [reference] = [g for g in ledger.groups if "external_id" in g.columns]
    assert set(reference.columns) == {"provider", "external_id"}
    assert reference.category == "financial" and "not a person" in reference.note


def test_every_blob_kind_is_referenced_by_an_erased_column_with_a_unique_prefix() -> None:
    assert len({b.prefix for b in registry.BLOBS}) == len(registry.BLOBS)
    assert "answer" in {b.prefix for b in registry.BLOBS}
    for blob in registry.BLOBS:
        table_name, column = blob.referenced_by.split(".")
        assert column in metadata.tables[table_name].c, blob.name
        entry = registry.table(table_name)
        assert entry.disposition == "delete" and entry.link is not None, blob.name
        assert blob.disposition == "delete", blob.name


def test_processors_say_what_they_receive_and_none_is_called_offline() -> None:
    names = {p.name for p in registry.PROCESSORS}
    for expected in ("Anthropic", "Cartesia", "Telegram", "Discord", "MailerLite"):
        assert expected in names
    for processor in registry.PROCESSORS:
        assert processor.receives and processor.categories and processor.purpose
        assert set(processor.categories) <= set(registry.CATEGORIES)
        assert processor.basis in registry.LEGAL_BASES
        assert not processor.called_offline
    marketing = [p for p in registry.PROCESSORS if p.basis == "consent"]
    assert [p.name for p in marketing] == ["MailerLite"]
