-- Venue upkeep that a bulk write pays once per statement instead of once per row.
--
-- A venue's address columns follow its main address. The row trigger of
-- `addresses_feed.postgres.sql` rewrote the venue once for every address written,
-- whether or not anything changed: importing venues (whose address columns become
-- their main addresses) rewrote every venue a second time. One update per statement
-- over the transition table now writes only the venues whose columns differ.
DROP TRIGGER addresses_feed_venue ON addresses;
DROP FUNCTION signpost_feed_venue_address();
CREATE FUNCTION signpost_feed_venue_addresses(ids UUID[]) RETURNS void LANGUAGE sql AS $$
    UPDATE venues SET address_1 = m.address_1, address_2 = m.address_2, city = m.city,
        region = m.region, state_province = m.state_province, postal_code = m.postal_code,
        country = COALESCE(m.country, venues.country)
    FROM (SELECT v.id, x.address_1, x.address_2, x.city, x.region, x.state_province,
                 x.postal_code, x.country
          FROM venues v LEFT JOIN LATERAL (
              SELECT y.* FROM addresses y WHERE y.venue_id = v.id AND y.deleted_at IS NULL
              ORDER BY (y.id = y.venue_id) DESC, (y.address_type = 'physical') DESC, y.id LIMIT 1
          ) x ON TRUE
          WHERE v.id = ANY(ids)) m
    WHERE venues.id = m.id
      AND (venues.address_1, venues.address_2, venues.city, venues.region, venues.state_province,
           venues.postal_code, venues.country)
          IS DISTINCT FROM
          (m.address_1, m.address_2, m.city, m.region, m.state_province, m.postal_code,
           COALESCE(m.country, venues.country));
$$;
CREATE FUNCTION signpost_feed_venues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM signpost_feed_venue_addresses(ARRAY(
            SELECT DISTINCT venue_id FROM new_rows WHERE venue_id IS NOT NULL));
    ELSE
        PERFORM signpost_feed_venue_addresses(ARRAY(
            SELECT venue_id FROM old_rows WHERE venue_id IS NOT NULL
            UNION SELECT venue_id FROM new_rows WHERE venue_id IS NOT NULL));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER addresses_feed_venues_insert AFTER INSERT ON addresses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signpost_feed_venues();
CREATE TRIGGER addresses_feed_venues_update AFTER UPDATE ON addresses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION signpost_feed_venues();
-- A venue's own visibility flag: an import on PostgreSQL computes it set-wise in
-- its `INSERT … SELECT` (`src/import/visible.rs`) and sets the transaction-local
-- `signpost.visible_set` for that statement, as it does for services.
DROP TRIGGER venues_visible ON venues;
CREATE TRIGGER venues_visible BEFORE INSERT OR UPDATE OF provider_id, deleted_at ON venues
    FOR EACH ROW WHEN (current_setting('signpost.visible_set', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION signpost_venue_visible();
