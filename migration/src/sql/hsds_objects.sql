-- Every HSDS 3.0 object gets a home (docs/data-model.md): phones, schedules, addresses,
-- languages, accessibility, service areas, funding, programs, required documents,
-- organisation identifiers, table descriptions and imported provenance, plus the
-- columns HSDS has on organisations, services, locations and taxonomy terms.
-- Rendered per backend like directory.sql; every table has the common columns.

-- Whether an import publishes the providers and services it writes (HSDS has no
-- `published` flag of its own).
ALTER TABLE imports ADD COLUMN publish {bool} NOT NULL DEFAULT {false};

ALTER TABLE providers ADD COLUMN tax_status TEXT;
ALTER TABLE providers ADD COLUMN tax_id TEXT;
ALTER TABLE providers ADD COLUMN year_incorporated INTEGER CHECK (year_incorporated BETWEEN 1000 AND 9999);
ALTER TABLE providers ADD COLUMN legal_status TEXT;
ALTER TABLE providers ADD COLUMN uri TEXT;

CREATE TABLE programs (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL CHECK (name <> ''),
    alternate_name TEXT,
    description TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

ALTER TABLE services ADD COLUMN program_id {uuid} REFERENCES programs (id);
ALTER TABLE services ADD COLUMN interpretation_services TEXT;
ALTER TABLE services ADD COLUMN fees TEXT;
ALTER TABLE services ADD COLUMN accreditations TEXT;
ALTER TABLE services ADD COLUMN eligibility_description TEXT;
ALTER TABLE services ADD COLUMN assurer_email TEXT;
ALTER TABLE services ADD COLUMN licenses TEXT;
ALTER TABLE services ADD COLUMN alert TEXT;
ALTER TABLE services ADD COLUMN last_modified {ts};

ALTER TABLE venues ADD COLUMN alternate_name TEXT;
ALTER TABLE venues ADD COLUMN external_identifier TEXT;
ALTER TABLE venues ADD COLUMN external_identifier_type TEXT;

ALTER TABLE taxonomy_terms ADD COLUMN language TEXT;
ALTER TABLE taxonomy_terms ADD COLUMN taxonomy TEXT;

CREATE TABLE phones (
    id {uuid} NOT NULL PRIMARY KEY,
    venue_id {uuid} REFERENCES venues (id),
    service_id {uuid} REFERENCES services (id),
    provider_id {uuid} REFERENCES providers (id),
    contact_id {uuid} REFERENCES contacts (id),
    service_venue_id {uuid} REFERENCES service_venues (id),
    number TEXT NOT NULL CHECK (number <> ''),
    extension INTEGER CHECK (extension >= 0),
    type TEXT CHECK (type IN ('text', 'voice', 'fax', 'cell', 'video', 'pager', 'textphone')),
    description TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({count_set}(venue_id, service_id, provider_id, contact_id, service_venue_id) >= 1)
);

CREATE TABLE schedules (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} REFERENCES services (id),
    venue_id {uuid} REFERENCES venues (id),
    service_venue_id {uuid} REFERENCES service_venues (id),
    valid_from {date},
    valid_to {date},
    dtstart {date},
    timezone {float} CHECK (timezone BETWEEN -14 AND 14),
    until {date},
    count INTEGER CHECK (count >= 1),
    wkst TEXT CHECK (wkst IN ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')),
    freq TEXT CHECK (freq IN ('WEEKLY', 'MONTHLY')),
    interval INTEGER CHECK (interval >= 1),
    byday TEXT,
    byweekno TEXT,
    bymonthday TEXT,
    byyearday TEXT,
    description TEXT,
    opens_at TEXT,
    closes_at TEXT,
    schedule_link TEXT,
    attending_type TEXT,
    notes TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({count_set}(service_id, venue_id, service_venue_id) >= 1),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);

CREATE TABLE addresses (
    id {uuid} NOT NULL PRIMARY KEY,
    venue_id {uuid} NOT NULL REFERENCES venues (id),
    attention TEXT,
    address_1 TEXT,
    address_2 TEXT,
    city TEXT,
    region TEXT,
    state_province TEXT,
    postal_code TEXT,
    country TEXT NOT NULL DEFAULT 'GB' CHECK (length(country) = 2),
    address_type TEXT NOT NULL DEFAULT 'physical'
        CHECK (address_type IN ('physical', 'postal', 'virtual')),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({count_set}(address_1, city, postal_code) >= 1)
);

CREATE TABLE languages (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} REFERENCES services (id),
    venue_id {uuid} REFERENCES venues (id),
    phone_id {uuid} REFERENCES phones (id),
    name TEXT,
    code TEXT,
    note TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({count_set}(service_id, venue_id, phone_id) >= 1),
    CHECK ({count_set}(name, code) >= 1)
);

CREATE TABLE accessibility (
    id {uuid} NOT NULL PRIMARY KEY,
    venue_id {uuid} NOT NULL REFERENCES venues (id),
    description TEXT,
    details TEXT,
    url TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE service_areas (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} NOT NULL REFERENCES services (id),
    name TEXT,
    description TEXT,
    extent TEXT,
    extent_type TEXT CHECK (extent_type IN ('geojson', 'topojson', 'kml', 'text')),
    uri TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK (extent IS NULL OR extent_type IS NOT NULL)
);

CREATE TABLE funding (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} REFERENCES providers (id),
    service_id {uuid} REFERENCES services (id),
    source TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts},
    CHECK ({count_set}(provider_id, service_id) >= 1)
);

CREATE TABLE required_documents (
    id {uuid} NOT NULL PRIMARY KEY,
    service_id {uuid} NOT NULL REFERENCES services (id),
    document TEXT,
    uri TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE organization_identifiers (
    id {uuid} NOT NULL PRIMARY KEY,
    provider_id {uuid} NOT NULL REFERENCES providers (id),
    identifier_scheme TEXT,
    identifier_type TEXT NOT NULL CHECK (identifier_type <> ''),
    identifier TEXT NOT NULL CHECK (identifier <> ''),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE TABLE meta_table_descriptions (
    id {uuid} NOT NULL PRIMARY KEY,
    name TEXT,
    language TEXT,
    character_set TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

-- HSDS `metadata` rows that arrived in files (provenance kept from elsewhere). The
-- HSDS export adds Signpost's own change log to them; `resource_type` names an HSDS
-- table, and `resource_id` one of its records (HSDS gives no foreign key).
CREATE TABLE metadata (
    id {uuid} NOT NULL PRIMARY KEY,
    resource_id {uuid} NOT NULL,
    resource_type TEXT NOT NULL CHECK (resource_type <> ''),
    last_action_date {date} NOT NULL,
    last_action_type TEXT NOT NULL,
    field_name TEXT NOT NULL,
    previous_value TEXT NOT NULL,
    replacement_value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    deleted_at {ts}
);

CREATE INDEX programs_provider_idx ON programs (provider_id, id);
CREATE INDEX services_program_idx ON services (program_id, id);
CREATE INDEX phones_venue_idx ON phones (venue_id, id);
CREATE INDEX phones_service_idx ON phones (service_id, id);
CREATE INDEX phones_provider_idx ON phones (provider_id, id);
CREATE INDEX phones_contact_idx ON phones (contact_id, id);
CREATE INDEX phones_service_venue_idx ON phones (service_venue_id, id);
CREATE INDEX schedules_service_idx ON schedules (service_id, id);
CREATE INDEX schedules_venue_idx ON schedules (venue_id, id);
CREATE INDEX schedules_service_venue_idx ON schedules (service_venue_id, id);
CREATE INDEX addresses_venue_idx ON addresses (venue_id, id);
CREATE INDEX languages_service_idx ON languages (service_id, id);
CREATE INDEX languages_venue_idx ON languages (venue_id, id);
CREATE INDEX languages_phone_idx ON languages (phone_id, id);
CREATE INDEX accessibility_venue_idx ON accessibility (venue_id, id);
CREATE INDEX service_areas_service_idx ON service_areas (service_id, id);
CREATE INDEX funding_provider_idx ON funding (provider_id, id);
CREATE INDEX funding_service_idx ON funding (service_id, id);
CREATE INDEX required_documents_service_idx ON required_documents (service_id, id);
CREATE INDEX organization_identifiers_provider_idx ON organization_identifiers (provider_id, id);
CREATE INDEX metadata_resource_idx ON metadata (resource_type, resource_id);
CREATE INDEX programs_updated_idx ON programs (updated_at, id);
CREATE INDEX phones_updated_idx ON phones (updated_at, id);
CREATE INDEX schedules_updated_idx ON schedules (updated_at, id);
CREATE INDEX addresses_updated_idx ON addresses (updated_at, id);
CREATE INDEX languages_updated_idx ON languages (updated_at, id);
CREATE INDEX accessibility_updated_idx ON accessibility (updated_at, id);
CREATE INDEX service_areas_updated_idx ON service_areas (updated_at, id);
CREATE INDEX funding_updated_idx ON funding (updated_at, id);
CREATE INDEX required_documents_updated_idx ON required_documents (updated_at, id);
CREATE INDEX organization_identifiers_updated_idx ON organization_identifiers (updated_at, id);
CREATE INDEX meta_table_descriptions_updated_idx ON meta_table_descriptions (updated_at, id);
CREATE INDEX metadata_updated_idx ON metadata (updated_at, id);
-- By name where a type has one, as browsing orders them.
CREATE INDEX programs_name_idx ON programs (name, id) WHERE deleted_at IS NULL;
CREATE INDEX phones_name_idx ON phones (number, id) WHERE deleted_at IS NULL;
CREATE INDEX languages_name_idx ON languages (name, id) WHERE deleted_at IS NULL;
