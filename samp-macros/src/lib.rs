//! Procedural macros for the `samp` crate.
//!
//! The handler attributes (`#[samp::notification]`, `#[samp::call]`) and `metadata!()` arrive
//! with a later milestone; this crate is part of the workspace so the layout is stable.
