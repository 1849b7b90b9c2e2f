//! Who is asking. The HTTP layer decides (the auth issue adds credentials); the read
//! side only asks the questions below, so visibility rules live in one place.

/// The roles of docs/api.md, least first: each sees at least what the one before sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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
    /// Who, as the credentials name them (a token's `sub`, a HAWK client id).
    pub subject: Option<String>,
}

impl Viewer {
    pub fn anonymous() -> Self {
        Self::with_role(Role::Anonymous)
    }

    pub fn with_role(role: Role) -> Self {
        Self {
            role,
            subject: None,
        }
    }

    /// Whether unpublished providers and services (and what hangs off them) show.
    pub fn sees_unpublished(&self) -> bool {
        self.role != Role::Anonymous
    }
}
