//! Who is asking. The HTTP layer decides (the auth issue adds credentials); the read
//! side only asks the questions below, so visibility rules live in one place.

/// The roles of api.md.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// No credentials: published records and what hangs off them.
    #[default]
    Anonymous,
    /// Every live record, published or not.
    Reader,
    /// Every record, for copying the directory out.
    Exporter,
    /// Everything.
    Admin,
}

/// The caller of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub role: Role,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self {
            role: Role::Anonymous,
        }
    }

    pub fn with_role(role: Role) -> Self {
        Self { role }
    }

    /// Whether unpublished providers and services (and what hangs off them) show.
    pub fn sees_unpublished(&self) -> bool {
        self.role != Role::Anonymous
    }
}
