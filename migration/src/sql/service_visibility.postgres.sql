-- `services.visible`: the service and its provider are published and live.
ALTER TABLE services ADD COLUMN visible BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE services SET visible = (published AND deleted_at IS NULL AND EXISTS (
    SELECT 1 FROM providers p WHERE p.id = services.provider_id AND p.published AND p.deleted_at IS NULL));
CREATE INDEX services_visible_name_idx ON services (name, id) WHERE visible;
-- A service written computes its own flag from its provider, which it locks (FOR
-- SHARE) until it commits: a provider published or withdrawn at the same moment then
-- waits for this write, and its own trigger below sees this service; or this write
-- waits for it and reads the provider as committed. Without the lock, each could miss
-- the other and leave the flag stale.
CREATE FUNCTION signpost_service_visible() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    provider_shown BOOLEAN;
BEGIN
    SELECT p.published AND p.deleted_at IS NULL INTO provider_shown
        FROM providers p WHERE p.id = NEW.provider_id FOR SHARE;
    NEW.visible := NEW.published AND NEW.deleted_at IS NULL AND COALESCE(provider_shown, FALSE);
    RETURN NEW;
END
$$;
CREATE TRIGGER services_visible BEFORE INSERT OR UPDATE OF published, deleted_at, provider_id
    ON services FOR EACH ROW EXECUTE FUNCTION signpost_service_visible();
CREATE FUNCTION signpost_provider_visibility() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE services SET visible = (published AND deleted_at IS NULL AND NEW.published AND NEW.deleted_at IS NULL)
        WHERE provider_id = NEW.id
          AND visible IS DISTINCT FROM (published AND deleted_at IS NULL AND NEW.published AND NEW.deleted_at IS NULL);
    RETURN NULL;
END
$$;
CREATE TRIGGER providers_visibility AFTER UPDATE OF published, deleted_at ON providers
    FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION signpost_provider_visibility();
