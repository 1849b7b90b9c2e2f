//! `create…`, `update…` and `delete…` for the HSDS objects that hang off the
//! directory's records (phones, opening hours, addresses, languages, …). Nothing
//! differs between them but their fields, so [`hsds_mutations!`] declares each
//! from its field list, and [`crate::write::fields`] checks the fields by the
//! rules of the type's CSV file: every problem at once, named by field.

use super::common::{admin, delete_record, node};
use crate::error::ApiResult;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::scalars::Date;
use crate::graphql::types::hsds::{
    Accessibility, Address, Funding, Language, OrganizationIdentifier, Phone, Program,
    RequiredDocument, Schedule, ServiceArea, ServiceAtLocation,
};
use crate::repo::RecordType;
use crate::write::fields::{self, Fields};
use async_graphql::{Context, ID, MaybeUndefined, MergedObject};

/// A field's value as the text of its CSV cell, which the row reader checks.
trait CellText {
    fn cell_text(&self) -> String;
}

impl CellText for String {
    fn cell_text(&self) -> String {
        self.clone()
    }
}

impl CellText for ID {
    fn cell_text(&self) -> String {
        self.0.clone()
    }
}

impl CellText for i32 {
    fn cell_text(&self) -> String {
        self.to_string()
    }
}

impl CellText for f64 {
    fn cell_text(&self) -> String {
        self.to_string()
    }
}

impl CellText for Date {
    fn cell_text(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

/// The column a field writes: its name, without a raw identifier's `r#`.
fn column(field: &'static str) -> &'static str {
    field.trim_start_matches("r#")
}

/// A patch field as a named field: absent when undefined, `None` when `null`.
fn patched<T: CellText>(fields: &mut Fields, name: &'static str, value: &MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => fields.push((column(name), None)),
        MaybeUndefined::Value(value) => fields.push((column(name), Some(value.cell_text()))),
    }
}

/// The create and update inputs and the create / update / delete mutations of
/// one HSDS object, from its fields (named as its table's columns).
macro_rules! hsds_mutations {
    (
        $mutations:ident: $object:ident over $module:ident as $kind:ident;
        $create:ident($create_input:ident) $create_doc:literal;
        $update:ident($update_input:ident) $update_doc:literal;
        $delete:ident $delete_doc:literal;
        { $($(#[doc = $doc:literal])* $field:ident: $type:ty;)* }
    ) => {
        #[doc = $create_doc]
        #[derive(async_graphql::InputObject)]
        pub struct $create_input {
            $($(#[doc = $doc])* pub $field: Option<$type>,)*
        }

        /// Changes: omitted fields stay as they are, `null` clears one.
        #[derive(async_graphql::InputObject)]
        pub struct $update_input {
            $($(#[doc = $doc])* pub $field: MaybeUndefined<$type>,)*
        }

        #[derive(Default)]
        pub struct $mutations;

        #[async_graphql::Object]
        impl $mutations {
            #[doc = $create_doc]
            async fn $create(
                &self,
                ctx: &Context<'_>,
                input: $create_input,
            ) -> ApiResult<$object> {
                let read = admin(ctx)?;
                let mut fields = Fields::new();
                $(
                    if let Some(value) = &input.$field {
                        fields.push((column(stringify!($field)), Some(value.cell_text())));
                    }
                )*
                let model = fields::create::<crate::repo::$module::Entity, _>(
                    &read.db,
                    RecordType::$kind,
                    fields,
                    read.viewer.subject.as_deref(),
                )
                .await?;
                Ok(node(model))
            }

            #[doc = $update_doc]
            async fn $update(
                &self,
                ctx: &Context<'_>,
                id: ID,
                #[graphql(desc = "The record's current version (`CONFLICT` otherwise).")]
                version: i32,
                input: $update_input,
            ) -> ApiResult<$object> {
                let read = admin(ctx)?;
                let id = parse_id("id", &id)?;
                let mut fields = Fields::new();
                $(patched(&mut fields, stringify!($field), &input.$field);)*
                let model = fields::update::<crate::repo::$module::Entity, _>(
                    &read.db,
                    RecordType::$kind,
                    id,
                    version,
                    fields,
                    read.viewer.subject.as_deref(),
                )
                .await?;
                Ok(node(model))
            }

            #[doc = $delete_doc]
            async fn $delete(
                &self,
                ctx: &Context<'_>,
                id: ID,
                #[graphql(
                    default_with = "Some(false)",
                    desc = "Also delete the live records that depend on it."
                )]
                cascade: Option<bool>,
            ) -> ApiResult<ID> {
                delete_record::<crate::repo::$module::Entity>(ctx, id, cascade).await
            }
        }
    };
}

hsds_mutations! {
    PhoneMutations: Phone over phones as Phones;
    create_phone(CreatePhoneInput) "Adds a phone number to a venue, service, provider, contact or service at a venue (at least one).";
    update_phone(UpdatePhoneInput) "Changes a phone number at `version`.";
    delete_phone "Deletes (tombstones) a phone number.";
    {
        venue_id: ID;
        service_id: ID;
        provider_id: ID;
        contact_id: ID;
        /// The service at a venue (HSDS `service_at_location_id`).
        service_venue_id: ID;
        /// The number (required).
        number: String;
        extension: i32;
        /// text, voice, fax, cell, video, pager or textphone.
        r#type: String;
        description: String;
    }
}

hsds_mutations! {
    ScheduleMutations: Schedule over schedules as Schedules;
    create_schedule(CreateScheduleInput) "Adds opening hours to a service, venue or service at a venue (at least one).";
    update_schedule(UpdateScheduleInput) "Changes opening hours at `version`.";
    delete_schedule "Deletes (tombstones) opening hours.";
    {
        service_id: ID;
        venue_id: ID;
        service_venue_id: ID;
        valid_from: Date;
        valid_to: Date;
        dtstart: Date;
        /// Hours from UTC the times are in.
        timezone: f64;
        until: Date;
        count: i32;
        /// MO…SU.
        wkst: String;
        /// WEEKLY or MONTHLY.
        freq: String;
        interval: i32;
        /// e.g. "MO,TU" or "1MO".
        byday: String;
        byweekno: String;
        bymonthday: String;
        byyearday: String;
        description: String;
        /// HH:MM (local).
        opens_at: String;
        /// HH:MM (local); before `opensAt` only for a recurring overnight opening.
        closes_at: String;
        schedule_link: String;
        attending_type: String;
        notes: String;
    }
}

hsds_mutations! {
    AddressMutations: Address over addresses as Addresses;
    create_address(CreateAddressInput) "Adds an address to a venue. The venue's main address (physical, else any) feeds its `address1`, `city`, `postalCode`, ….";
    update_address(UpdateAddressInput) "Changes an address at `version`.";
    delete_address "Deletes (tombstones) an address.";
    {
        /// The venue (required).
        venue_id: ID;
        attention: String;
        address_1: String;
        address_2: String;
        city: String;
        region: String;
        state_province: String;
        postal_code: String;
        /// ISO 3166 alpha-2 (default GB).
        country: String;
        /// physical, postal or virtual (default physical).
        address_type: String;
    }
}

hsds_mutations! {
    LanguageMutations: Language over languages as Languages;
    create_language(CreateLanguageInput) "Adds a language to a service, venue or phone (at least one).";
    update_language(UpdateLanguageInput) "Changes a language at `version`.";
    delete_language "Deletes (tombstones) a language.";
    {
        service_id: ID;
        venue_id: ID;
        phone_id: ID;
        name: String;
        /// ISO 639 code.
        code: String;
        note: String;
    }
}

hsds_mutations! {
    AccessibilityMutations: Accessibility over accessibility as Accessibility;
    create_accessibility(CreateAccessibilityInput) "Adds an accessibility feature to a venue.";
    update_accessibility(UpdateAccessibilityInput) "Changes an accessibility feature at `version`.";
    delete_accessibility "Deletes (tombstones) an accessibility feature.";
    {
        /// The venue (required).
        venue_id: ID;
        description: String;
        details: String;
        url: String;
    }
}

hsds_mutations! {
    ServiceAreaMutations: ServiceArea over service_areas as ServiceAreas;
    create_service_area(CreateServiceAreaInput) "Adds an area a service covers.";
    update_service_area(UpdateServiceAreaInput) "Changes a service area at `version`.";
    delete_service_area "Deletes (tombstones) a service area.";
    {
        /// The service (required).
        service_id: ID;
        name: String;
        description: String;
        /// The area, in the format `extentType` names (required with it).
        extent: String;
        /// geojson, topojson, kml or text.
        extent_type: String;
        uri: String;
    }
}

hsds_mutations! {
    FundingMutations: Funding over funding as Funding;
    create_funding(CreateFundingInput) "Adds a source of funding to a provider or service (at least one).";
    update_funding(UpdateFundingInput) "Changes a source of funding at `version`.";
    delete_funding "Deletes (tombstones) a source of funding.";
    {
        provider_id: ID;
        service_id: ID;
        source: String;
    }
}

hsds_mutations! {
    RequiredDocumentMutations: RequiredDocument over required_documents as RequiredDocuments;
    create_required_document(CreateRequiredDocumentInput) "Adds a document a service asks for.";
    update_required_document(UpdateRequiredDocumentInput) "Changes a required document at `version`.";
    delete_required_document "Deletes (tombstones) a required document.";
    {
        /// The service (required).
        service_id: ID;
        document: String;
        uri: String;
    }
}

hsds_mutations! {
    OrganizationIdentifierMutations: OrganizationIdentifier over organization_identifiers as OrganizationIdentifiers;
    create_organization_identifier(CreateOrganizationIdentifierInput) "Adds an identifier of a provider in another scheme.";
    update_organization_identifier(UpdateOrganizationIdentifierInput) "Changes an organisation identifier at `version`.";
    delete_organization_identifier "Deletes (tombstones) an organisation identifier.";
    {
        /// The provider (required).
        provider_id: ID;
        identifier_scheme: String;
        /// What the identifier is (required).
        identifier_type: String;
        /// The identifier (required).
        identifier: String;
    }
}

hsds_mutations! {
    ProgramMutations: Program over programs as Programs;
    create_program(CreateProgramInput) "Adds a programme a provider runs.";
    update_program(UpdateProgramInput) "Changes a programme at `version`.";
    delete_program "Deletes (tombstones) a programme.";
    {
        /// The provider (required).
        provider_id: ID;
        /// Its name (required).
        name: String;
        alternate_name: String;
        description: String;
    }
}

hsds_mutations! {
    ServiceAtLocationMutations: ServiceAtLocation over service_venues as ServiceVenues;
    create_service_at_location(CreateServiceAtLocationInput) "Offers a service at a venue (the record phones, contacts and opening hours of that pairing hang off).";
    update_service_at_location(UpdateServiceAtLocationInput) "Changes a service at a venue at `version`.";
    delete_service_at_location "Deletes (tombstones) a service at a venue.";
    {
        /// The service (required).
        service_id: ID;
        /// The venue (required).
        venue_id: ID;
        description: String;
    }
}

/// The mutations of every HSDS object.
#[derive(MergedObject, Default)]
pub struct HsdsMutations(
    PhoneMutations,
    ScheduleMutations,
    AddressMutations,
    LanguageMutations,
    AccessibilityMutations,
    ServiceAreaMutations,
    FundingMutations,
    RequiredDocumentMutations,
    OrganizationIdentifierMutations,
    ProgramMutations,
    ServiceAtLocationMutations,
);
