//! HSDS 3.0 as Signpost stores it: the rules HSDS states about its own objects,
//! written once for imports, mutations, the HSDS API ingest and exports.
//!
//! - [`package`]: the tabular package — each HSDS file, its record type, and its
//!   columns in HSDS order with the Signpost column each is stored in;
//! - [`api`]: the HSDS REST API's objects, pages and reads;
//! - [`nesting`]: which HSDS objects nest in which, and the columns that link them;
//! - [`attribute`]: which table an attribute's `link_entity` names;
//! - [`schedule`]: a schedule's recurrence parts as one RRULE, and its opening times;
//! - [`extent`]: whether a service area's extent is the `extent_type` it claims.

pub mod api;
pub mod attribute;
pub mod extent;
pub mod nesting;
pub mod package;
pub mod schedule;
