DROP TABLE ledger_signatures;
DROP TABLE ledger_heads;
DROP TABLE ledger_entries;
