//! serde between Rust types and [`crate::Value`].
