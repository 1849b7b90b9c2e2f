//! The HSDS objects that hang off services, venues, providers and contacts
//! (phones, opening hours, addresses, languages, …): plain records read through
//! their parents, declared by [`hsds_object!`] as their fields and the doc of each,
//! since nothing else about them differs.

use super::node_object;
use crate::graphql::scalars::Date;

/// The value of a field: a clone of the model's, or what `$get` makes of the model.
macro_rules! getter {
    ($model:expr, $field:ident) => {
        $model.$field.clone()
    };
    ($model:expr, $field:ident, $get:expr) => {
        ($get)(&$model)
    };
}

/// A GraphQL object over a table's model: `id`, the listed fields, the records it
/// hangs off (`parents`, by a function giving the foreign key) and the lists that
/// hang off it (`children`, by a relation of [`crate::read::relations`]), and the
/// server's `createdAt`, `updatedAt` and `version`.
macro_rules! hsds_object {
    (
        $(#[doc = $doc:literal])*
        $name:ident over $module:ident {
            $($(#[doc = $field_doc:literal])* $field:ident: $type:ty $(=> $get:expr)?;)*
        }
        $(parents {
            $($(#[doc = $parent_doc:literal])* $parent:ident: $parent_type:ty = $foreign_key:expr;)*
        })?
        $(children {
            $($(#[doc = $child_doc:literal])* $child:ident: $child_type:ty = $relation:path;)*
        })?
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone)]
        pub struct $name(
            pub crate::repo::$module::Model,
            pub std::sync::Arc<crate::graphql::batch::Batch<crate::repo::$module::Entity>>,
        );

        node_object!($name, $module);

        $(#[doc = $doc])*
        #[async_graphql::Object]
        impl $name {
            /// The record's id (a UUID): the same in GraphQL, CSV files and exports.
            pub(crate) async fn id(&self) -> async_graphql::ID {
                async_graphql::ID(self.0.id.to_string())
            }

            $(
                $(#[doc = $field_doc])*
                async fn $field(&self) -> $type {
                    getter!(self.0, $field $(, $get)?)
                }
            )*

            $($(
                $(#[doc = $parent_doc])*
                async fn $parent(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                ) -> crate::error::ApiResult<Option<$parent_type>> {
                    super::related(ctx, &self.1, &self.0, stringify!($parent), $foreign_key).await
                }
            )*)?

            $($(
                $(#[doc = $child_doc])*
                #[graphql(complexity = "crate::graphql::limits::page_cost(first, last, child_complexity)")]
                async fn $child(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "How many to return from the start (default 20).")] first: Option<i32>,
                    #[graphql(desc = "Return those after this cursor.")] after: Option<String>,
                    #[graphql(desc = "How many to return from the end.")] last: Option<i32>,
                    #[graphql(desc = "Return those before this cursor.")] before: Option<String>,
                ) -> crate::error::ApiResult<crate::graphql::connection::Connection<$child_type>> {
                    let args = crate::graphql::connection::PageArgs::new(first, after, last, before);
                    crate::graphql::connection::children(ctx, &self.1, &$relation, self.0.id, args).await
                }
            )*)?

            /// When the record was created (set by the server).
            async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.0.created_at
            }

            /// When the record last changed (set by the server).
            async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.0.updated_at
            }

            /// The record version: 1 when created, one more on every change.
            async fn version(&self) -> i32 {
                self.0.version
            }
        }
    };
}

fn date(value: Option<chrono::NaiveDate>) -> Option<Date> {
    value.map(Date)
}

hsds_object! {
    /// A telephone number (HSDS `phone`).
    Phone over phones {
        /// The number, as it should be dialled or shown.
        number: String;
        /// An extension to dial after the number.
        extension: Option<i32>;
        /// text, voice, fax, cell, video, pager or textphone.
        r#type: Option<String>;
        /// When and what to call about, e.g. "Out of hours".
        description: Option<String>;
    }
}

hsds_object! {
    /// When a service or venue is open: an RFC 5545 recurrence in parts, with the
    /// hours it opens (HSDS `schedule`).
    Schedule over schedules {
        /// First day the schedule applies.
        valid_from: Option<Date> => |m: &crate::repo::schedules::Model| date(m.valid_from);
        /// Last day the schedule applies.
        valid_to: Option<Date> => |m: &crate::repo::schedules::Model| date(m.valid_to);
        /// First day of the recurrence.
        dtstart: Option<Date> => |m: &crate::repo::schedules::Model| date(m.dtstart);
        /// Hours from UTC the times are in.
        timezone: Option<f64>;
        /// Last day of the recurrence.
        until: Option<Date> => |m: &crate::repo::schedules::Model| date(m.until);
        /// How many times it recurs.
        count: Option<i32>;
        /// The first day of the week (MO…SU).
        wkst: Option<String>;
        /// WEEKLY or MONTHLY.
        freq: Option<String>;
        /// Every how many weeks or months.
        interval: Option<i32>;
        /// Days it recurs on, e.g. "MO,TU" or "1MO" (first Monday).
        byday: Option<String>;
        /// Weeks of the year it recurs in.
        byweekno: Option<String>;
        /// Days of the month it recurs on.
        bymonthday: Option<String>;
        /// Days of the year it recurs on.
        byyearday: Option<String>;
        /// The schedule in words.
        description: Option<String>;
        /// Opening time (local, HH:MM).
        opens_at: Option<String>;
        /// Closing time (local, HH:MM); before `opensAt` when it closes the next day.
        closes_at: Option<String>;
        /// Where to book or see the schedule.
        schedule_link: Option<String>;
        /// How to attend during these hours.
        attending_type: Option<String>;
        /// Anything else about the hours.
        notes: Option<String>;
    }
}

hsds_object! {
    /// An address of a venue (HSDS `address`).
    Address over addresses {
        /// Whom to address post to.
        attention: Option<String>;
        address_1: Option<String>;
        address_2: Option<String>;
        city: Option<String>;
        region: Option<String>;
        state_province: Option<String>;
        postal_code: Option<String>;
        /// ISO 3166 alpha-2.
        country: String;
        /// physical, postal or virtual.
        address_type: String;
    }
}

hsds_object! {
    /// A language a service, venue or phone line works in (HSDS `language`).
    Language over languages {
        /// Its name, e.g. "Polish".
        name: Option<String>;
        /// ISO 639 code, e.g. "pl".
        code: Option<String>;
        /// Anything to know, e.g. "by appointment".
        note: Option<String>;
    }
}

hsds_object! {
    /// What a venue offers disabled visitors (HSDS `accessibility`).
    Accessibility over accessibility {
        description: Option<String>;
        details: Option<String>;
        url: Option<String>;
    }
}

hsds_object! {
    /// Where a service is offered (HSDS `service_area`).
    ServiceArea over service_areas {
        name: Option<String>;
        description: Option<String>;
        /// The area, in the format `extentType` says.
        extent: Option<String>;
        /// geojson, topojson, kml or text.
        extent_type: Option<String>;
        uri: Option<String>;
    }
}

hsds_object! {
    /// Where money comes from (HSDS `funding`).
    Funding over funding {
        source: Option<String>;
    }
}

hsds_object! {
    /// A document a service asks for (HSDS `required_document`).
    RequiredDocument over required_documents {
        document: Option<String>;
        uri: Option<String>;
    }
}

hsds_object! {
    /// An identifier of a provider in another scheme, e.g. a charity number
    /// (HSDS `organization_identifier`).
    OrganizationIdentifier over organization_identifiers {
        /// The scheme's code, e.g. "GB-CHC".
        identifier_scheme: Option<String>;
        /// What the identifier is, e.g. "Charity number".
        identifier_type: String;
        identifier: String;
    }
}

hsds_object! {
    /// A programme of related services a provider runs (HSDS `program`).
    Program over programs {
        name: String;
        alternate_name: Option<String>;
        description: Option<String>;
    }
}

hsds_object! {
    /// A service as offered at one venue (HSDS `service_at_location`): the record
    /// contacts, phones and opening hours particular to that pairing hang off.
    ServiceAtLocation over service_venues {
        /// What is particular to the service here.
        description: Option<String>;
    }
    parents {
        /// The service.
        service: super::service::Service = |m: &crate::repo::service_venues::Model| Some(m.service_id);
        /// The venue (HSDS `location`).
        location: super::venue::Venue = |m: &crate::repo::service_venues::Model| Some(m.venue_id);
    }
    children {
        /// Contacts for the service here.
        contacts: super::contact::Contact = crate::read::relations::AT_LOCATION_CONTACTS;
        /// Phone numbers for the service here.
        phones: Phone = crate::read::relations::AT_LOCATION_PHONES;
        /// When the service is open here.
        schedules: Schedule = crate::read::relations::AT_LOCATION_SCHEDULES;
    }
}
