-- A venue's address columns are its main address, fed by triggers so there is one
-- truth: the live address whose id is the venue's, else a live physical one, else
-- any live one (lowest id first); none leaves them empty (the country stays).
CREATE TRIGGER addresses_feed_insert AFTER INSERT ON addresses BEGIN
    UPDATE venues SET
        (address_1, address_2, city, region, state_province, postal_code) = (
            SELECT x.address_1, x.address_2, x.city, x.region, x.state_province, x.postal_code
            FROM addresses x WHERE x.id = (SELECT y.id FROM addresses y WHERE y.venue_id = venues.id AND y.deleted_at IS NULL ORDER BY (y.id = y.venue_id) DESC, (y.address_type = 'physical') DESC, y.id LIMIT 1)
        ),
        country = COALESCE((SELECT x.country FROM addresses x WHERE x.id = (SELECT y.id FROM addresses y WHERE y.venue_id = venues.id AND y.deleted_at IS NULL ORDER BY (y.id = y.venue_id) DESC, (y.address_type = 'physical') DESC, y.id LIMIT 1)), country)
    WHERE id = NEW.venue_id;
END;
CREATE TRIGGER addresses_feed_update AFTER UPDATE ON addresses BEGIN
    UPDATE venues SET
        (address_1, address_2, city, region, state_province, postal_code) = (
            SELECT x.address_1, x.address_2, x.city, x.region, x.state_province, x.postal_code
            FROM addresses x WHERE x.id = (SELECT y.id FROM addresses y WHERE y.venue_id = venues.id AND y.deleted_at IS NULL ORDER BY (y.id = y.venue_id) DESC, (y.address_type = 'physical') DESC, y.id LIMIT 1)
        ),
        country = COALESCE((SELECT x.country FROM addresses x WHERE x.id = (SELECT y.id FROM addresses y WHERE y.venue_id = venues.id AND y.deleted_at IS NULL ORDER BY (y.id = y.venue_id) DESC, (y.address_type = 'physical') DESC, y.id LIMIT 1)), country)
    WHERE id IN (NEW.venue_id, OLD.venue_id);
END;
