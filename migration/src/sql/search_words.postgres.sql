-- Search words on PostgreSQL tokenized like SQLite's FTS5 `unicode61 remove_diacritics 2`.
--
-- The `simple` configuration of the first migration kept e-mail addresses, URLs,
-- host names and decimals whole ("help@x.org" was one word, "3.5" too) where FTS5
-- splits them, and it kept accents ("café" did not find "cafe") where FTS5 folds
-- them. Now every run of characters other than letters and digits becomes a space
-- before parsing, so the parser sees only words and numbers, and the
-- `signpost_search` configuration passes words through `unaccent` before `simple`.
--
-- `unaccent` is a trusted extension (PostgreSQL 13+): a database owner can create
-- it. A transaction-scoped advisory lock serialises its creation between
-- migrations of several schemas of one database (the test suite does that).
DO $$
DECLARE
    unaccent_schema text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('signpost:create extension unaccent'));
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
        CREATE EXTENSION unaccent SCHEMA public;
    END IF;
    SELECT quote_ident(n.nspname) INTO unaccent_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'unaccent';
    CREATE TEXT SEARCH CONFIGURATION signpost_search (COPY = pg_catalog.simple);
    EXECUTE format(
        'ALTER TEXT SEARCH CONFIGURATION signpost_search ALTER MAPPING FOR '
        'asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart '
        'WITH %s.unaccent, pg_catalog.simple',
        unaccent_schema);
END
$$;

DROP INDEX providers_search_idx;
DROP INDEX services_search_idx;
DROP INDEX venues_search_idx;
ALTER TABLE providers DROP COLUMN search_vector;
ALTER TABLE services DROP COLUMN search_vector;
ALTER TABLE venues DROP COLUMN search_vector;
ALTER TABLE providers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('signpost_search', regexp_replace(
        coalesce(name, '') || ' ' || coalesce(alternate_name, '') || ' ' || coalesce(description, ''),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED;
ALTER TABLE services ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('signpost_search', regexp_replace(
        coalesce(name, '') || ' ' || coalesce(alternate_name, '') || ' ' || coalesce(description, ''),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED;
ALTER TABLE venues ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('signpost_search', regexp_replace(
        coalesce(name, '') || ' ' || coalesce(city, '') || ' ' || coalesce(postal_code, ''),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX providers_search_idx ON providers USING GIN (search_vector);
CREATE INDEX services_search_idx ON services USING GIN (search_vector);
CREATE INDEX venues_search_idx ON venues USING GIN (search_vector);
