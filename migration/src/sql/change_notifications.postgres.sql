-- Every committed write to a table the directory is read from announces itself on
-- the channel `signpost_changes`, naming the table as `<schema>.<table>`. PostgreSQL
-- delivers notifications only when the writing transaction commits, and once per
-- distinct payload per transaction, so a bulk import of a million rows sends one per
-- table it touched. Statement triggers fire for INSERT, UPDATE, DELETE, TRUNCATE and
-- COPY alike, whoever writes: Signpost's own paths, another replica, `psql`.
CREATE FUNCTION signpost_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('signpost_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;
DO $$
DECLARE
    name TEXT;
BEGIN
    FOREACH name IN ARRAY ARRAY[
        'providers', 'services', 'venues', 'service_venues', 'contacts', 'eligibilities',
        'service_eligibilities', 'cost_options', 'events', 'taxonomies', 'taxonomy_terms',
        'taxonomy_refs', 'programs', 'phones', 'schedules', 'addresses', 'languages',
        'accessibility', 'service_areas', 'funding', 'required_documents',
        'organization_identifiers', 'meta_table_descriptions', 'metadata', 'postcodes'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER signpost_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION signpost_notify_change()', name);
    END LOOP;
END
$$;
