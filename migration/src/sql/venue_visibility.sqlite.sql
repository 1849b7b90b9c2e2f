-- `venues.visible`: the venue is live and its provider is published and live, or it
-- is linked (by a live link) to a visible service. As for `services.visible`, SQLite
-- cannot change NEW, so each write is followed by an update of the column; writes are
-- serialised, so no other writer sees it stale. `services.visible` changing (by its
-- own triggers or a provider's) fires the services trigger below. The rule is the
-- view `signpost_venue_shown`, written once.
ALTER TABLE venues ADD COLUMN visible INTEGER NOT NULL DEFAULT 0;
CREATE VIEW signpost_venue_shown AS SELECT v.id AS id, (v.deleted_at IS NULL AND (
    EXISTS (SELECT 1 FROM providers p WHERE p.id = v.provider_id AND p.published = 1 AND p.deleted_at IS NULL)
    OR EXISTS (SELECT 1 FROM service_venues sv JOIN services s ON s.id = sv.service_id
               WHERE sv.venue_id = v.id AND sv.deleted_at IS NULL AND s.visible = 1))) AS shown
    FROM venues v;
UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id);
CREATE INDEX venues_visible_name_idx ON venues (name, id) WHERE visible = 1;
CREATE TRIGGER venues_visible_insert AFTER INSERT ON venues BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id = NEW.id;
END;
CREATE TRIGGER venues_visible_update AFTER UPDATE OF provider_id, deleted_at ON venues BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id = NEW.id;
END;
CREATE TRIGGER providers_venue_visibility AFTER UPDATE OF published, deleted_at ON providers BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE provider_id = NEW.id;
END;
CREATE TRIGGER services_venue_visibility AFTER UPDATE OF visible ON services
WHEN OLD.visible IS NOT NEW.visible BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id IN (SELECT venue_id FROM service_venues WHERE service_id = NEW.id);
END;
CREATE TRIGGER service_venues_visibility_insert AFTER INSERT ON service_venues BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id = NEW.venue_id;
END;
CREATE TRIGGER service_venues_visibility_update AFTER UPDATE OF service_id, venue_id, deleted_at ON service_venues BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id IN (OLD.venue_id, NEW.venue_id);
END;
CREATE TRIGGER service_venues_visibility_delete AFTER DELETE ON service_venues BEGIN
    UPDATE venues SET visible = (SELECT shown FROM signpost_venue_shown s WHERE s.id = venues.id) WHERE id = OLD.venue_id;
END;
