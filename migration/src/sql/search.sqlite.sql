-- Full-text search on SQLite: FTS5 external-content tables over the record tables,
-- kept in sync by triggers on insert, update and delete (https://sqlite.org/fts5.html#external_content_tables).
-- The unicode61 tokenizer lower-cases without stemming, like PostgreSQL's 'simple' configuration.
-- They index the table's rowid: rebuild them after a VACUUM with
-- INSERT INTO <table>_fts(<table>_fts) VALUES('rebuild').

CREATE VIRTUAL TABLE providers_fts USING fts5(name, alternate_name, description, content='providers', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER providers_fts_insert AFTER INSERT ON providers BEGIN
    INSERT INTO providers_fts (rowid, name, alternate_name, description) VALUES (new.rowid, new.name, new.alternate_name, new.description);
END;
CREATE TRIGGER providers_fts_delete AFTER DELETE ON providers BEGIN
    INSERT INTO providers_fts (providers_fts, rowid, name, alternate_name, description) VALUES ('delete', old.rowid, old.name, old.alternate_name, old.description);
END;
CREATE TRIGGER providers_fts_update AFTER UPDATE OF name, alternate_name, description ON providers BEGIN
    INSERT INTO providers_fts (providers_fts, rowid, name, alternate_name, description) VALUES ('delete', old.rowid, old.name, old.alternate_name, old.description);
    INSERT INTO providers_fts (rowid, name, alternate_name, description) VALUES (new.rowid, new.name, new.alternate_name, new.description);
END;

CREATE VIRTUAL TABLE services_fts USING fts5(name, alternate_name, description, content='services', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER services_fts_insert AFTER INSERT ON services BEGIN
    INSERT INTO services_fts (rowid, name, alternate_name, description) VALUES (new.rowid, new.name, new.alternate_name, new.description);
END;
CREATE TRIGGER services_fts_delete AFTER DELETE ON services BEGIN
    INSERT INTO services_fts (services_fts, rowid, name, alternate_name, description) VALUES ('delete', old.rowid, old.name, old.alternate_name, old.description);
END;
CREATE TRIGGER services_fts_update AFTER UPDATE OF name, alternate_name, description ON services BEGIN
    INSERT INTO services_fts (services_fts, rowid, name, alternate_name, description) VALUES ('delete', old.rowid, old.name, old.alternate_name, old.description);
    INSERT INTO services_fts (rowid, name, alternate_name, description) VALUES (new.rowid, new.name, new.alternate_name, new.description);
END;

CREATE VIRTUAL TABLE venues_fts USING fts5(name, city, postal_code, content='venues', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER venues_fts_insert AFTER INSERT ON venues BEGIN
    INSERT INTO venues_fts (rowid, name, city, postal_code) VALUES (new.rowid, new.name, new.city, new.postal_code);
END;
CREATE TRIGGER venues_fts_delete AFTER DELETE ON venues BEGIN
    INSERT INTO venues_fts (venues_fts, rowid, name, city, postal_code) VALUES ('delete', old.rowid, old.name, old.city, old.postal_code);
END;
CREATE TRIGGER venues_fts_update AFTER UPDATE OF name, city, postal_code ON venues BEGIN
    INSERT INTO venues_fts (venues_fts, rowid, name, city, postal_code) VALUES ('delete', old.rowid, old.name, old.city, old.postal_code);
    INSERT INTO venues_fts (rowid, name, city, postal_code) VALUES (new.rowid, new.name, new.city, new.postal_code);
END;
