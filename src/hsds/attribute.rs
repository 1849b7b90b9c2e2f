//! HSDS `attribute.link_entity`: the table an attribute's `link_id` is a record of,
//! and the `taxonomy_refs` column that holds it (one foreign key per table, so the
//! database checks the reference HSDS leaves polymorphic).

/// `(link_entity, column)`, HSDS's singular table names first: the name an export
/// writes.
pub const LINK_ENTITIES: &[(&str, &str)] = &[
    ("service", "service_id"),
    ("organization", "provider_id"),
    ("location", "venue_id"),
    ("event", "event_id"),
    ("service_at_location", "service_venue_id"),
    ("contact", "contact_id"),
    ("phone", "phone_id"),
    ("schedule", "schedule_id"),
    ("address", "address_id"),
    ("language", "language_id"),
    ("accessibility", "accessibility_id"),
    ("service_area", "service_area_id"),
    ("funding", "funding_id"),
    ("cost_option", "cost_option_id"),
    ("required_document", "required_document_id"),
    ("program", "program_id"),
    ("organization_identifier", "organization_identifier_id"),
];

/// Every column an attribute's target may sit in.
pub fn target_columns() -> impl Iterator<Item = &'static str> {
    LINK_ENTITIES.iter().map(|(_, column)| *column)
}

/// The column for `link_entity` (HSDS's name, its plural, or Signpost's table).
pub fn target_column(link_entity: &str) -> Option<&'static str> {
    let wanted = link_entity.trim().to_ascii_lowercase().replace('-', "_");
    let singular = match wanted.as_str() {
        "organisation" | "organizations" | "organisations" | "provider" | "providers" => {
            "organization"
        }
        "venue" | "venues" | "locations" => "location",
        "service_venue" | "service_venues" | "service_at_locations" => "service_at_location",
        "addresses" => "address",
        other => other,
    };
    let find = |name: &str| {
        LINK_ENTITIES
            .iter()
            .find(|(entity, _)| *entity == name)
            .map(|(_, column)| *column)
    };
    find(singular).or_else(|| singular.strip_suffix('s').and_then(find))
}

/// The `link_entity` of the target in `column`.
pub fn link_entity(column: &str) -> Option<&'static str> {
    LINK_ENTITIES
        .iter()
        .find(|(_, target)| *target == column)
        .map(|(entity, _)| *entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_name_their_columns_both_ways() {
        for (entity, column) in LINK_ENTITIES {
            assert_eq!(target_column(entity), Some(*column));
            assert_eq!(link_entity(column), Some(*entity));
        }
        assert_eq!(target_column("Organizations"), Some("provider_id"));
        assert_eq!(target_column("service_areas"), Some("service_area_id"));
        assert_eq!(target_column("venues"), Some("venue_id"));
        assert_eq!(target_column("funding"), Some("funding_id"));
        assert_eq!(target_column("taxonomy"), None);
    }
}
