-- `venues.visible`: the venue is live and its provider is published and live, or it
-- is linked (by a live link) to a visible service.
ALTER TABLE venues ADD COLUMN visible BOOLEAN NOT NULL DEFAULT FALSE;
CREATE FUNCTION signpost_venue_shown(v_id UUID, v_provider UUID, v_deleted TIMESTAMPTZ)
    RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT v_deleted IS NULL AND (
        EXISTS (SELECT 1 FROM providers p WHERE p.id = v_provider AND p.published AND p.deleted_at IS NULL)
        OR EXISTS (SELECT 1 FROM service_venues sv JOIN services s ON s.id = sv.service_id
                   WHERE sv.venue_id = v_id AND sv.deleted_at IS NULL AND s.visible))
$$;
UPDATE venues SET visible = signpost_venue_shown(id, provider_id, deleted_at);
CREATE INDEX venues_visible_name_idx ON venues (name, id) WHERE visible;
-- A venue written computes its own flag. It locks its provider (FOR SHARE) for the
-- reason `signpost_service_visible` does: a provider published or withdrawn at the
-- same moment either waits for this write or is read as committed.
CREATE FUNCTION signpost_venue_visible() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM providers p WHERE p.id = NEW.provider_id FOR SHARE;
    NEW.visible := signpost_venue_shown(NEW.id, NEW.provider_id, NEW.deleted_at);
    RETURN NEW;
END
$$;
CREATE TRIGGER venues_visible BEFORE INSERT OR UPDATE OF provider_id, deleted_at
    ON venues FOR EACH ROW EXECUTE FUNCTION signpost_venue_visible();
-- Everything else that changes a venue's flag: its provider published or withdrawn,
-- a linked service becoming visible or hidden, a link made, moved or removed. One
-- set-based update per statement (transition tables), so a bulk import of links
-- costs one statement, not one per row; rows whose flag would not change are not
-- written.
CREATE FUNCTION signpost_refresh_venues(ids UUID[]) RETURNS void LANGUAGE sql AS $$
    UPDATE venues v SET visible = signpost_venue_shown(v.id, v.provider_id, v.deleted_at)
        WHERE v.id = ANY(ids)
          AND v.visible IS DISTINCT FROM signpost_venue_shown(v.id, v.provider_id, v.deleted_at);
$$;
CREATE FUNCTION signpost_provider_venues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM signpost_refresh_venues(ARRAY(
        SELECT v.id FROM venues v JOIN new_rows n ON n.id = v.provider_id JOIN old_rows o ON o.id = n.id
        WHERE o.published IS DISTINCT FROM n.published OR o.deleted_at IS DISTINCT FROM n.deleted_at));
    RETURN NULL;
END
$$;
CREATE TRIGGER providers_venue_visibility AFTER UPDATE ON providers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION signpost_provider_venues();
CREATE FUNCTION signpost_service_venues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM signpost_refresh_venues(ARRAY(
        SELECT sv.venue_id FROM service_venues sv JOIN new_rows n ON n.id = sv.service_id
        JOIN old_rows o ON o.id = n.id WHERE o.visible IS DISTINCT FROM n.visible));
    RETURN NULL;
END
$$;
CREATE TRIGGER services_venue_visibility AFTER UPDATE ON services
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION signpost_service_venues();
CREATE FUNCTION signpost_link_venues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM signpost_refresh_venues(ARRAY(SELECT venue_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM signpost_refresh_venues(ARRAY(SELECT venue_id FROM old_rows));
    ELSE
        PERFORM signpost_refresh_venues(ARRAY(
            SELECT venue_id FROM old_rows UNION SELECT venue_id FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER service_venues_visibility_insert AFTER INSERT ON service_venues
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signpost_link_venues();
CREATE TRIGGER service_venues_visibility_update AFTER UPDATE ON service_venues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION signpost_link_venues();
CREATE TRIGGER service_venues_visibility_delete AFTER DELETE ON service_venues
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION signpost_link_venues();
