-- Directory records (docs/data-model.md). A template rendered per backend by
-- migration/src/render.rs: {uuid} {ts} {bool} {money} {date} {float} become the
-- backend's types, {num_one_of_4}(a,b,c,d) the "exactly one non-null" expression.
-- Every table carries the common columns: id, created_at, updated_at, version, deleted_at.

CREATE TABLE providers (
    id {uuid} NOT NULL PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> ''),
    alternate_name TEXT,
    description TEXT,
    email TEXT,
    website TEXT,
    logo TEXT,
    parent_provider_id {uuid} REFERENCES providers (id),
    published {bool} NOT NULL DEFAULT {false},
    flagged {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (parent_provider_id IS NULL OR parent_provider_id <> id)
);

CREATE TABLE services (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL CHECK (name <> ''),
    alternate_name TEXT,
    description TEXT,
    url TEXT,
    email TEXT,
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
    fees_description TEXT,
    application_process TEXT,
    wait_time TEXT,
    minimum_age INTEGER CHECK (minimum_age >= 0),
    maximum_age INTEGER CHECK (maximum_age >= 0),
    assured_date {date},
    published {bool} NOT NULL DEFAULT {false},
    flagged {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
);

CREATE TABLE venues (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} REFERENCES providers (id),
    name TEXT NOT NULL CHECK (name <> ''),
    description TEXT,
    location_type TEXT NOT NULL DEFAULT 'physical'
        CHECK (location_type IN ('physical', 'postal', 'virtual')),
    address_1 TEXT,
    address_2 TEXT,
    city TEXT,
    region TEXT,
    state_province TEXT,
    postal_code TEXT,
    country TEXT NOT NULL DEFAULT 'GB' CHECK (length(country) = 2),
    latitude {float} CHECK (latitude BETWEEN -90 AND 90),
    longitude {float} CHECK (longitude BETWEEN -180 AND 180),
    transportation TEXT,
    accessibility TEXT,
    url TEXT,
    flagged {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE service_venues (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} NOT NULL REFERENCES services (id),
    venue_id {uuid} NOT NULL REFERENCES venues (id),
    description TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE contacts (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} REFERENCES providers (id),
    service_id {uuid} REFERENCES services (id),
    venue_id {uuid} REFERENCES venues (id),
    name TEXT NOT NULL CHECK (name <> ''),
    title TEXT,
    department TEXT,
    email TEXT,
    phone TEXT,
    url TEXT,
    social_facebook TEXT,
    social_twitter TEXT,
    flagged {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (provider_id IS NOT NULL OR service_id IS NOT NULL OR venue_id IS NOT NULL)
);

CREATE TABLE eligibilities (
    id {uuid} NOT NULL PRIMARY KEY,
    description TEXT NOT NULL CHECK (description <> ''),
    minimum_age INTEGER CHECK (minimum_age >= 0),
    maximum_age INTEGER CHECK (maximum_age >= 0),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
);

CREATE TABLE service_eligibilities (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} NOT NULL REFERENCES services (id),
    eligibility_id {uuid} NOT NULL REFERENCES eligibilities (id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE cost_options (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} NOT NULL REFERENCES services (id),
    option TEXT NOT NULL CHECK (option <> ''),
    amount {money} CHECK (amount >= 0),
    currency TEXT NOT NULL DEFAULT 'GBP' CHECK (length(currency) = 3),
    amount_description TEXT,
    valid_from {date},
    valid_to {date},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);

CREATE TABLE events (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} REFERENCES services (id),
    venue_id {uuid} REFERENCES venues (id),
    provider_id {uuid} REFERENCES providers (id),
    title TEXT NOT NULL CHECK (title <> ''),
    description TEXT,
    starts_at {ts},
    ends_at {ts},
    time_description TEXT,
    rrule TEXT,
    attending_type TEXT CHECK (attending_type IN ('in_person', 'online', 'hybrid')),
    booking_url TEXT,
    flagged {bool} NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at <= ends_at)
);

CREATE TABLE taxonomies (
    id {uuid} NOT NULL PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> ''),
    description TEXT,
    uri TEXT,
    version_label TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE taxonomy_terms (
    id {uuid} NOT NULL PRIMARY KEY,
    taxonomy_id {uuid} NOT NULL REFERENCES taxonomies (id),
    parent_id {uuid} REFERENCES taxonomy_terms (id),
    code TEXT,
    name TEXT NOT NULL CHECK (name <> ''),
    description TEXT,
    term_uri TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (parent_id IS NULL OR parent_id <> id)
);

CREATE TABLE taxonomy_refs (
    id {uuid} NOT NULL PRIMARY KEY,
    taxonomy_term_id {uuid} NOT NULL REFERENCES taxonomy_terms (id),
    service_id {uuid} REFERENCES services (id),
    provider_id {uuid} REFERENCES providers (id),
    venue_id {uuid} REFERENCES venues (id),
    event_id {uuid} REFERENCES events (id),
    value TEXT,
    label TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({num_one_of_4}(service_id, provider_id, venue_id, event_id) = 1)
);

-- Foreign-key indexes lead with the key and end with id, so a page of children per
-- parent (keyset by id) is an index range scan.
CREATE INDEX providers_parent_idx ON providers (parent_provider_id, id);
CREATE INDEX services_provider_idx ON services (provider_id, id);
CREATE INDEX venues_provider_idx ON venues (provider_id, id);
CREATE INDEX service_venues_service_idx ON service_venues (service_id, id);
CREATE INDEX service_venues_venue_idx ON service_venues (venue_id, id);
CREATE INDEX contacts_provider_idx ON contacts (provider_id, id);
CREATE INDEX contacts_service_idx ON contacts (service_id, id);
CREATE INDEX contacts_venue_idx ON contacts (venue_id, id);
CREATE INDEX service_eligibilities_service_idx ON service_eligibilities (service_id, id);
CREATE INDEX service_eligibilities_eligibility_idx ON service_eligibilities (eligibility_id, id);
CREATE INDEX cost_options_service_idx ON cost_options (service_id, id);
CREATE INDEX events_service_idx ON events (service_id, id);
CREATE INDEX events_venue_idx ON events (venue_id, id);
CREATE INDEX events_provider_idx ON events (provider_id, id);
CREATE INDEX taxonomy_terms_taxonomy_idx ON taxonomy_terms (taxonomy_id, id);
CREATE INDEX taxonomy_terms_parent_idx ON taxonomy_terms (parent_id, id);
CREATE INDEX taxonomy_refs_term_idx ON taxonomy_refs (taxonomy_term_id, id);
CREATE INDEX taxonomy_refs_service_idx ON taxonomy_refs (service_id, id);
CREATE INDEX taxonomy_refs_provider_idx ON taxonomy_refs (provider_id, id);
CREATE INDEX taxonomy_refs_venue_idx ON taxonomy_refs (venue_id, id);
CREATE INDEX taxonomy_refs_event_idx ON taxonomy_refs (event_id, id);

-- A link may exist once among live rows; a tombstoned link can be made again.
CREATE UNIQUE INDEX service_venues_live_uq ON service_venues (service_id, venue_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX service_eligibilities_live_uq ON service_eligibilities (service_id, eligibility_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX taxonomy_refs_service_live_uq ON taxonomy_refs (taxonomy_term_id, service_id) WHERE deleted_at IS NULL AND service_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_provider_live_uq ON taxonomy_refs (taxonomy_term_id, provider_id) WHERE deleted_at IS NULL AND provider_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_venue_live_uq ON taxonomy_refs (taxonomy_term_id, venue_id) WHERE deleted_at IS NULL AND venue_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_event_live_uq ON taxonomy_refs (taxonomy_term_id, event_id) WHERE deleted_at IS NULL AND event_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomies_name_live_uq ON taxonomies (name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX taxonomy_terms_code_live_uq ON taxonomy_terms (taxonomy_id, code) WHERE deleted_at IS NULL AND code IS NOT NULL;

-- Keyset orderings: by name (live rows, what browsing shows) and by (updated_at, id)
-- over every row, tombstones included (incremental export). Paging by id uses the key.
CREATE INDEX providers_name_idx ON providers (name, id) WHERE deleted_at IS NULL;
CREATE INDEX services_name_idx ON services (name, id) WHERE deleted_at IS NULL;
CREATE INDEX venues_name_idx ON venues (name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_name_idx ON contacts (name, id) WHERE deleted_at IS NULL;
CREATE INDEX eligibilities_name_idx ON eligibilities (description, id) WHERE deleted_at IS NULL;
CREATE INDEX cost_options_name_idx ON cost_options (option, id) WHERE deleted_at IS NULL;
CREATE INDEX events_name_idx ON events (title, id) WHERE deleted_at IS NULL;
CREATE INDEX events_starts_idx ON events (starts_at, id) WHERE deleted_at IS NULL;
CREATE INDEX taxonomies_name_idx ON taxonomies (name, id) WHERE deleted_at IS NULL;
CREATE INDEX taxonomy_terms_name_idx ON taxonomy_terms (name, id) WHERE deleted_at IS NULL;
CREATE INDEX providers_updated_idx ON providers (updated_at, id);
CREATE INDEX services_updated_idx ON services (updated_at, id);
CREATE INDEX venues_updated_idx ON venues (updated_at, id);
CREATE INDEX service_venues_updated_idx ON service_venues (updated_at, id);
CREATE INDEX contacts_updated_idx ON contacts (updated_at, id);
CREATE INDEX eligibilities_updated_idx ON eligibilities (updated_at, id);
CREATE INDEX service_eligibilities_updated_idx ON service_eligibilities (updated_at, id);
CREATE INDEX cost_options_updated_idx ON cost_options (updated_at, id);
CREATE INDEX events_updated_idx ON events (updated_at, id);
CREATE INDEX taxonomies_updated_idx ON taxonomies (updated_at, id);
CREATE INDEX taxonomy_terms_updated_idx ON taxonomy_terms (updated_at, id);
CREATE INDEX taxonomy_refs_updated_idx ON taxonomy_refs (updated_at, id);

-- Bounding-box prefilter for `near`; the exact great-circle distance is computed after.
CREATE INDEX venues_lat_lon_idx ON venues (latitude, longitude) WHERE deleted_at IS NULL AND latitude IS NOT NULL;
