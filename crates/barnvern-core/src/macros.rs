//! The one macro behind every validated string newtype.

/// Declares a string newtype whose only constructor validates.
///
/// `validated_string!(/// docs
/// pub struct CaseId; validate = check_fn;)` makes `CaseId::new(impl Into<String>) ->
/// Result<CaseId, Finding>`, `as_str`, `Display`, serde (through the same constructor, so JSON
/// cannot build an invalid value) and a JSON Schema string. `check_fn(&str) -> Result<(), Finding>`
/// holds the rule.
#[macro_export]
macro_rules! validated_string {
    ($(#[$meta:meta])* $vis:vis struct $name:ident; validate = $validate:path;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(String);

        impl $name {
            /// Validates `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::Finding> {
                let value = value.into();
                $validate(&value)?;
                Ok(Self(value))
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Finding;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = <String as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                Self::new(text).map_err($crate::json::de_error::<D::Error>)
            }
        }

        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn json_schema(
                generator: &mut $crate::__private::schemars::SchemaGenerator,
            ) -> $crate::__private::schemars::Schema {
                <String as $crate::__private::schemars::JsonSchema>::json_schema(generator)
            }
        }
    };
}

/// Rule for free-form identifiers (case ids, staff references, local ids): 1 to 128 characters,
/// no control characters, no leading or trailing white space.
pub fn check_identifier(value: &str) -> Result<(), crate::Finding> {
    if value.is_empty() {
        return Err(crate::Finding::error(
            "",
            "id.empty",
            "an identifier cannot be empty",
        ));
    }
    if value.chars().count() > 128 {
        return Err(crate::Finding::error(
            "",
            "id.too_long",
            "an identifier can have at most 128 characters",
        ));
    }
    if value.trim() != value || value.chars().any(char::is_control) {
        return Err(crate::Finding::error(
            "",
            "id.whitespace",
            "an identifier cannot start or end with white space or hold control characters",
        ));
    }
    Ok(())
}
