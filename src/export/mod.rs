//! Copying the directory out, for data pipelines: the paged `export` query
//! ([`page`]), whole-table NDJSON and CSV downloads ([`stream`]) and the routes
//! of the earlier Data Store Service ([`table`]).
//!
//! Every path reads through one function per record type, [`rows::after`]:
//! keyset pages by id (a full copy) or by `(updated_at, id)` (changes since a
//! time), so the last page costs what the first does, and a row that does not
//! change while a client pages is seen exactly once. Incremental runs are made
//! safe by the [`watermark`]: the time a client's next run starts from, held back
//! past every transaction that might still commit rows stamped earlier.

pub mod hsds;
pub mod page;
pub mod provenance;
pub mod rows;
pub mod stream;
pub mod table;
pub mod watermark;

pub use page::{ExportCursor, ExportPage, ExportRequest, export_page};
