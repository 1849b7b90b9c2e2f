//! Every HSDS 3.0 object gets a home (`sql/hsds_objects.sql`), and three existing
//! tables change shape:
//!
//! - `contacts` may belong to a service at a location (`service_venue_id`), which
//!   joins the parents its CHECK accepts;
//! - `taxonomy_refs` becomes HSDS's `attribute`: a term attached to exactly one record
//!   of any type HSDS allows, through a real foreign key per type (`link_entity` and
//!   `link_id` are which column is set, and its value), with HSDS's `link_type`;
//! - `addresses` hold the addresses of venues, and a venue's address columns are fed
//!   from its main address by triggers (`sql/addresses_feed.*.sql`), so there is one
//!   truth and search, `city` / `postalCode` filters and exports read the same values.
//!   Existing venue addresses become address rows whose id is the venue's.
//!
//! PostgreSQL swaps CHECK constraints; SQLite cannot alter one, so those two tables
//! are rebuilt with their rows and indexes inside the migration's transaction.

use crate::render;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000007_hsds_objects"
    }
}

/// The tables this migration creates, children before parents.
const NEW_TABLES: &[&str] = &[
    "metadata",
    "meta_table_descriptions",
    "organization_identifiers",
    "required_documents",
    "funding",
    "service_areas",
    "accessibility",
    "languages",
    "addresses",
    "schedules",
    "phones",
];

/// Columns of `taxonomy_refs` that may hold the one record an attribute is about,
/// beyond the first four, with the table each refers to.
pub const ATTRIBUTE_TARGETS: &[(&str, &str)] = &[
    ("service_venue_id", "service_venues"),
    ("contact_id", "contacts"),
    ("phone_id", "phones"),
    ("schedule_id", "schedules"),
    ("address_id", "addresses"),
    ("language_id", "languages"),
    ("accessibility_id", "accessibility"),
    ("service_area_id", "service_areas"),
    ("funding_id", "funding"),
    ("cost_option_id", "cost_options"),
    ("required_document_id", "required_documents"),
    ("program_id", "programs"),
    ("organization_identifier_id", "organization_identifiers"),
];

fn contacts_table(name: &str, with_service_venue: bool) -> String {
    let (column, parents) = if with_service_venue {
        (
            "service_venue_id {uuid} REFERENCES service_venues (id),",
            "provider_id, service_id, venue_id, service_venue_id",
        )
    } else {
        ("", "provider_id, service_id, venue_id")
    };
    format!(
        "CREATE TABLE {name} (
            id {{uuid}} NOT NULL PRIMARY KEY,
            provider_id {{uuid}} REFERENCES providers (id),
            service_id {{uuid}} REFERENCES services (id),
            venue_id {{uuid}} REFERENCES venues (id),
            {column}
            name TEXT NOT NULL CHECK (name <> ''),
            title TEXT,
            department TEXT,
            email TEXT,
            phone TEXT,
            url TEXT,
            social_facebook TEXT,
            social_twitter TEXT,
            flagged {{bool}} NOT NULL DEFAULT {{false}},
            created_at {{ts}} NOT NULL,
            updated_at {{ts}} NOT NULL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            deleted_at {{ts}},
            CHECK ({{count_set}}({parents}) >= 1)
        )"
    )
}

const CONTACT_INDEXES: &str = "
CREATE INDEX contacts_provider_idx ON contacts (provider_id, id);
CREATE INDEX contacts_service_idx ON contacts (service_id, id);
CREATE INDEX contacts_venue_idx ON contacts (venue_id, id);
CREATE INDEX contacts_name_idx ON contacts (name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated_idx ON contacts (updated_at, id);";

const CONTACT_COLUMNS: &str = "id, provider_id, service_id, venue_id, name, title, department, \
     email, phone, url, social_facebook, social_twitter, flagged, created_at, updated_at, \
     version, deleted_at";

fn refs_table(name: &str, attributes: bool) -> String {
    let mut targets = vec!["service_id", "provider_id", "venue_id", "event_id"];
    let mut columns = String::new();
    if attributes {
        for (column, table) in ATTRIBUTE_TARGETS {
            columns.push_str(&format!("{column} {{uuid}} REFERENCES {table} (id),\n"));
            targets.push(column);
        }
        columns.push_str("link_type TEXT,\n");
    }
    format!(
        "CREATE TABLE {name} (
            id {{uuid}} NOT NULL PRIMARY KEY,
            taxonomy_term_id {{uuid}} NOT NULL REFERENCES taxonomy_terms (id),
            service_id {{uuid}} REFERENCES services (id),
            provider_id {{uuid}} REFERENCES providers (id),
            venue_id {{uuid}} REFERENCES venues (id),
            event_id {{uuid}} REFERENCES events (id),
            {columns}
            value TEXT,
            label TEXT,
            created_at {{ts}} NOT NULL,
            updated_at {{ts}} NOT NULL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            deleted_at {{ts}},
            CHECK ({{count_set}}({}) = 1)
        )",
        targets.join(", ")
    )
}

const REF_INDEXES: &str = "
CREATE INDEX taxonomy_refs_term_idx ON taxonomy_refs (taxonomy_term_id, id);
CREATE INDEX taxonomy_refs_service_idx ON taxonomy_refs (service_id, id);
CREATE INDEX taxonomy_refs_provider_idx ON taxonomy_refs (provider_id, id);
CREATE INDEX taxonomy_refs_venue_idx ON taxonomy_refs (venue_id, id);
CREATE INDEX taxonomy_refs_event_idx ON taxonomy_refs (event_id, id);
CREATE INDEX taxonomy_refs_updated_idx ON taxonomy_refs (updated_at, id);
CREATE UNIQUE INDEX taxonomy_refs_service_live_uq ON taxonomy_refs (taxonomy_term_id, service_id) WHERE deleted_at IS NULL AND service_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_provider_live_uq ON taxonomy_refs (taxonomy_term_id, provider_id) WHERE deleted_at IS NULL AND provider_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_venue_live_uq ON taxonomy_refs (taxonomy_term_id, venue_id) WHERE deleted_at IS NULL AND venue_id IS NOT NULL;
CREATE UNIQUE INDEX taxonomy_refs_event_live_uq ON taxonomy_refs (taxonomy_term_id, event_id) WHERE deleted_at IS NULL AND event_id IS NOT NULL;";

const REF_COLUMNS: &str = "id, taxonomy_term_id, service_id, provider_id, venue_id, event_id, \
     value, label, created_at, updated_at, version, deleted_at";

/// Rebuilds `table` on SQLite from `create` (a table named `{table}_rebuilt`),
/// keeping the rows' `columns`, then its `indexes`.
async fn rebuild(
    db: &SchemaManagerConnection<'_>,
    table: &str,
    create: &str,
    columns: &str,
    indexes: &str,
) -> Result<(), DbErr> {
    let backend = DatabaseBackend::Sqlite;
    db.execute_unprepared(&render::render(create, backend))
        .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO {table}_rebuilt ({columns}) SELECT {columns} FROM {table}"
    ))
    .await?;
    db.execute_unprepared(&format!("DROP TABLE {table}"))
        .await?;
    db.execute_unprepared(&format!("ALTER TABLE {table}_rebuilt RENAME TO {table}"))
        .await?;
    db.execute_unprepared(indexes).await?;
    Ok(())
}

/// On PostgreSQL, replaces `table`'s table-level CHECK (named `{table}_check`; gone
/// already when a column it named was dropped).
async fn swap_check(
    db: &SchemaManagerConnection<'_>,
    table: &str,
    check: &str,
) -> Result<(), DbErr> {
    let check = render::render(check, DatabaseBackend::Postgres);
    db.execute_unprepared(&format!(
        "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_check; \
         ALTER TABLE {table} ADD CONSTRAINT {table}_check CHECK ({check})"
    ))
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        let postgres = backend == DatabaseBackend::Postgres;
        if postgres {
            db.execute_unprepared(
                "ALTER TABLE contacts ADD COLUMN service_venue_id UUID REFERENCES service_venues (id)",
            )
            .await?;
            swap_check(
                db,
                "contacts",
                "{count_set}(provider_id, service_id, venue_id, service_venue_id) >= 1",
            )
            .await?;
        } else {
            let indexes = format!("{CONTACT_INDEXES}\n{}", SERVICE_VENUE_CONTACT_INDEX);
            rebuild(
                db,
                "contacts",
                &contacts_table("contacts_rebuilt", true),
                CONTACT_COLUMNS,
                &indexes,
            )
            .await?;
        }
        if postgres {
            db.execute_unprepared(SERVICE_VENUE_CONTACT_INDEX).await?;
        }
        render::execute(db, include_str!("sql/hsds_objects.sql"), backend).await?;
        if postgres {
            let mut targets = vec!["service_id", "provider_id", "venue_id", "event_id"];
            for (column, table) in ATTRIBUTE_TARGETS {
                db.execute_unprepared(&format!(
                    "ALTER TABLE taxonomy_refs ADD COLUMN {column} UUID REFERENCES {table} (id)"
                ))
                .await?;
                targets.push(column);
            }
            db.execute_unprepared("ALTER TABLE taxonomy_refs ADD COLUMN link_type TEXT")
                .await?;
            swap_check(
                db,
                "taxonomy_refs",
                &format!("{{count_set}}({}) = 1", targets.join(", ")),
            )
            .await?;
        } else {
            rebuild(
                db,
                "taxonomy_refs",
                &refs_table("taxonomy_refs_rebuilt", true),
                REF_COLUMNS,
                REF_INDEXES,
            )
            .await?;
        }
        for (column, _) in ATTRIBUTE_TARGETS {
            db.execute_unprepared(&format!(
                "CREATE INDEX taxonomy_refs_{column}x ON taxonomy_refs ({column}, id) \
                 WHERE {column} IS NOT NULL"
            ))
            .await?;
        }
        // A venue's address so far becomes its main address (the address whose id is
        // the venue's), then the triggers keep the venue's columns fed from it.
        db.execute_unprepared(
            "INSERT INTO addresses (id, venue_id, address_1, address_2, city, region, \
             state_province, postal_code, country, address_type, created_at, updated_at, \
             version, deleted_at) \
             SELECT id, id, address_1, address_2, city, region, state_province, postal_code, \
             country, CASE WHEN location_type = 'postal' THEN 'postal' ELSE 'physical' END, \
             created_at, updated_at, 1, deleted_at FROM venues \
             WHERE address_1 IS NOT NULL OR city IS NOT NULL OR postal_code IS NOT NULL",
        )
        .await?;
        let feed = if postgres {
            include_str!("sql/addresses_feed.postgres.sql")
        } else {
            include_str!("sql/addresses_feed.sqlite.sql")
        };
        render::execute(db, feed, backend).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        let postgres = backend == DatabaseBackend::Postgres;
        if postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS addresses_feed_venue ON addresses; \
                 DROP FUNCTION IF EXISTS signpost_feed_venue_address()",
            )
            .await?;
        }
        // Attributes of types that no longer exist, and contacts of a service at a
        // location only, cannot survive the older shapes.
        let mut extra = ATTRIBUTE_TARGETS
            .iter()
            .map(|(column, _)| format!("{column} IS NOT NULL"))
            .collect::<Vec<_>>()
            .join(" OR ");
        if extra.is_empty() {
            extra = "1 = 0".into();
        }
        db.execute_unprepared(&format!("DELETE FROM taxonomy_refs WHERE {extra}"))
            .await?;
        db.execute_unprepared(
            "DELETE FROM phones WHERE contact_id IN (SELECT id FROM contacts \
             WHERE provider_id IS NULL AND service_id IS NULL AND venue_id IS NULL); \
             DELETE FROM contacts WHERE provider_id IS NULL AND service_id IS NULL \
             AND venue_id IS NULL",
        )
        .await?;
        if postgres {
            for (column, _) in ATTRIBUTE_TARGETS {
                db.execute_unprepared(&format!("ALTER TABLE taxonomy_refs DROP COLUMN {column}"))
                    .await?;
            }
            db.execute_unprepared("ALTER TABLE taxonomy_refs DROP COLUMN link_type")
                .await?;
            swap_check(
                db,
                "taxonomy_refs",
                "{count_set}(service_id, provider_id, venue_id, event_id) = 1",
            )
            .await?;
        } else {
            rebuild(
                db,
                "taxonomy_refs",
                &refs_table("taxonomy_refs_rebuilt", false),
                REF_COLUMNS,
                REF_INDEXES,
            )
            .await?;
        }
        db.execute_unprepared(&render::drop_tables(NEW_TABLES))
            .await?;
        for statement in [
            "ALTER TABLE taxonomy_terms DROP COLUMN taxonomy",
            "ALTER TABLE taxonomy_terms DROP COLUMN language",
            "ALTER TABLE venues DROP COLUMN external_identifier_type",
            "ALTER TABLE venues DROP COLUMN external_identifier",
            "ALTER TABLE venues DROP COLUMN alternate_name",
            "DROP INDEX IF EXISTS services_program_idx",
            "ALTER TABLE services DROP COLUMN last_modified",
            "ALTER TABLE services DROP COLUMN alert",
            "ALTER TABLE services DROP COLUMN licenses",
            "ALTER TABLE services DROP COLUMN assurer_email",
            "ALTER TABLE services DROP COLUMN eligibility_description",
            "ALTER TABLE services DROP COLUMN accreditations",
            "ALTER TABLE services DROP COLUMN fees",
            "ALTER TABLE services DROP COLUMN interpretation_services",
            "UPDATE services SET program_id = NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        // SQLite cannot drop a column that is a foreign key: there it stays, empty,
        // until the directory tables themselves go.
        if postgres {
            db.execute_unprepared("ALTER TABLE services DROP COLUMN program_id")
                .await?;
        }
        for statement in [
            "DROP TABLE programs",
            "ALTER TABLE imports DROP COLUMN publish",
            "ALTER TABLE providers DROP COLUMN uri",
            "ALTER TABLE providers DROP COLUMN legal_status",
            "ALTER TABLE providers DROP COLUMN year_incorporated",
            "ALTER TABLE providers DROP COLUMN tax_id",
            "ALTER TABLE providers DROP COLUMN tax_status",
        ] {
            db.execute_unprepared(statement).await?;
        }
        if postgres {
            db.execute_unprepared("DROP INDEX IF EXISTS contacts_service_venue_idx")
                .await?;
            db.execute_unprepared("ALTER TABLE contacts DROP COLUMN service_venue_id")
                .await?;
            swap_check(
                db,
                "contacts",
                "{count_set}(provider_id, service_id, venue_id) >= 1",
            )
            .await?;
        } else {
            rebuild(
                db,
                "contacts",
                &contacts_table("contacts_rebuilt", false),
                CONTACT_COLUMNS,
                CONTACT_INDEXES,
            )
            .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

const SERVICE_VENUE_CONTACT_INDEX: &str =
    "CREATE INDEX contacts_service_venue_idx ON contacts (service_venue_id, id);";
