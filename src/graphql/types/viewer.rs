//! `Viewer`: who the server takes the caller to be, so that a console can show
//! what its user may do before they try (and find out from a `FORBIDDEN`).

use async_graphql::{Enum, SimpleObject};

/// What a caller may see and do, least first: each role has what the one
/// before it has.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::read::viewer::Role")]
pub enum Role {
    /// No credentials: published records and what hangs off them.
    Anonymous,
    /// Every live record, published or not.
    Reader,
    /// Every record, for copying the directory out.
    Exporter,
    /// Everything: writes, imports, ingest and their history.
    Admin,
}

/// The caller of this request, as its credentials name it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Viewer {
    /// Who, as the credentials say (a token's `sub`, a HAWK client id); null
    /// for an anonymous caller.
    pub subject: Option<String>,
    /// What the caller may see and do.
    pub role: Role,
}

impl From<&crate::read::Viewer> for Viewer {
    fn from(viewer: &crate::read::Viewer) -> Self {
        Self {
            subject: viewer.subject.clone(),
            role: viewer.role.into(),
        }
    }
}
