//! The `orderBy` enums of the root connections, each a GraphQL view of the read
//! side's [`crate::read::order_by::OrderKey`]s.

/// Declares a record type's `orderBy` enum, convertible to [`OrderKey`].
macro_rules! order_enum {
    ($name:ident, $doc:literal, { $($variant:ident => $key:ident, $vdoc:literal;)* }) => {
        #[doc = $doc]
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
        pub enum $name {
            $(#[doc = $vdoc] $variant,)*
        }

        impl From<$name> for $crate::read::order_by::OrderKey {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => $crate::read::order_by::OrderKey::$key,)*
                }
            }
        }
    };
}
pub(crate) use order_enum;
