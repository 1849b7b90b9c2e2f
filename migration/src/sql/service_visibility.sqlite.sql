-- `services.visible`: the service and its provider are published and live. SQLite
-- cannot change NEW in a trigger, so each write is followed by an update of the
-- column; writes are serialised, so no other writer can see it stale.
ALTER TABLE services ADD COLUMN visible INTEGER NOT NULL DEFAULT 0;
UPDATE services SET visible = (published = 1 AND deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM providers p WHERE p.id = services.provider_id AND p.published = 1 AND p.deleted_at IS NULL));
CREATE INDEX services_visible_name_idx ON services (name, id) WHERE visible = 1;
CREATE TRIGGER services_visible_insert AFTER INSERT ON services BEGIN
    UPDATE services SET visible = (NEW.published = 1 AND NEW.deleted_at IS NULL AND EXISTS (
        SELECT 1 FROM providers p WHERE p.id = NEW.provider_id AND p.published = 1 AND p.deleted_at IS NULL))
    WHERE id = NEW.id;
END;
CREATE TRIGGER services_visible_update AFTER UPDATE OF published, deleted_at, provider_id ON services BEGIN
    UPDATE services SET visible = (NEW.published = 1 AND NEW.deleted_at IS NULL AND EXISTS (
        SELECT 1 FROM providers p WHERE p.id = NEW.provider_id AND p.published = 1 AND p.deleted_at IS NULL))
    WHERE id = NEW.id;
END;
CREATE TRIGGER providers_visibility_update AFTER UPDATE OF published, deleted_at ON providers BEGIN
    UPDATE services SET visible = (published = 1 AND deleted_at IS NULL AND NEW.published = 1 AND NEW.deleted_at IS NULL)
    WHERE provider_id = NEW.id;
END;
