-- Full-text search on PostgreSQL: a stored generated tsvector per searchable table
-- (kept in sync by PostgreSQL itself on insert and update) with a GIN index.
-- The 'simple' configuration (lower-casing, no stemming) matches what SQLite's FTS5
-- unicode61 tokenizer does, so the same words find the same records on both.
ALTER TABLE providers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(alternate_name, '') || ' ' || coalesce(description, ''))
) STORED;
ALTER TABLE services ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(alternate_name, '') || ' ' || coalesce(description, ''))
) STORED;
ALTER TABLE venues ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(city, '') || ' ' || coalesce(postal_code, ''))
) STORED;
CREATE INDEX providers_search_idx ON providers USING GIN (search_vector);
CREATE INDEX services_search_idx ON services USING GIN (search_vector);
CREATE INDEX venues_search_idx ON venues USING GIN (search_vector);
