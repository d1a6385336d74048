//! The MType pattern grammar of SAMP 1.3 §3.7 (SAMP.md §2.4), checked at compile time.
//!
//! The same grammar as `samp_runtime::protocol::mtype` (which this proc-macro crate cannot
//! depend on); the tests below pin the two to the same cases.
//!
//! ```text
//! <mchar>   ::= [0-9a-zA-Z] | "-" | "_"
//! <atom>    ::= <mchar>+
//! <mtype>   ::= <atom> ("." <atom>)*
//! <pattern> ::= <mtype> | <mtype> "." "*" | "*"
//! ```

/// Whether `c` is an MType character `[0-9a-zA-Z_-]`.
fn is_mchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Checks `text` as a subscription pattern; `Err` says what is wrong, in the same words as
/// the runtime's `MTypeError`.
pub(crate) fn check_pattern(text: &str) -> Result<(), String> {
    if text == "*" {
        return Ok(());
    }
    let end = match text.strip_suffix(".*") {
        Some(prefix) => prefix.len(),
        None => text.len(),
    };
    match problem(text, end) {
        None => Ok(()),
        Some(p) => Err(format!("invalid MType pattern {text:?}: {p}")),
    }
}

/// The first problem in `text[..end]` read as a concrete MType.
fn problem(text: &str, end: usize) -> Option<String> {
    if text.is_empty() {
        return Some("empty string".to_owned());
    }
    let mut atom_start = 0;
    for (position, ch) in text[..end].char_indices() {
        match ch {
            '.' if position == atom_start => {
                return Some(format!("empty atom at position {atom_start}"));
            }
            '.' => atom_start = position + 1,
            c if is_mchar(c) => {}
            '*' => {
                return Some(format!(
                    "misplaced wildcard '*' at position {position} (allowed only as the whole \
                     pattern or the last atom, as in \"table.*\")"
                ));
            }
            ch => {
                return Some(format!(
                    "invalid character {ch:?} at position {position} (allowed: 0-9 a-z A-Z - _ \
                     and . between atoms)"
                ));
            }
        }
    }
    if atom_start == end {
        return Some(format!("empty atom at position {atom_start}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::check_pattern;

    #[test]
    fn valid() {
        for s in [
            "*",
            "a",
            "table.*",
            "samp.hub.event.*",
            "table.load.votable",
            "x-samp.query.by-meta",
            "A_b.0",
            "coord.pointAt.sky",
        ] {
            assert_eq!(check_pattern(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn invalid() {
        for s in [
            "table.*.x",
            "*.x",
            "table.",
            ".x",
            "a..b",
            "ta ble",
            "",
            ".*",
            "**",
            "a*",
            "a.b*",
            "*.*",
            "a.**",
            "table.*.",
            "a.*b",
            "é",
            "a/b",
            "a.b\n",
        ] {
            let e = check_pattern(s).unwrap_err();
            assert!(e.starts_with("invalid MType pattern \""), "{e}");
        }
    }

    #[test]
    fn messages_match_the_runtime() {
        let msg = |s: &str| check_pattern(s).unwrap_err();
        assert_eq!(
            msg("table."),
            r#"invalid MType pattern "table.": empty atom at position 6"#
        );
        assert_eq!(
            msg(".*"),
            r#"invalid MType pattern ".*": empty atom at position 0"#
        );
        assert_eq!(msg(""), r#"invalid MType pattern "": empty string"#);
        assert!(msg("a..b.*").contains("empty atom at position 2"));
        assert!(msg("table.*.x").contains("misplaced wildcard '*' at position 6"));
        assert!(msg("*.x").contains("misplaced wildcard '*' at position 0"));
        assert!(msg("ta ble").contains("invalid character ' ' at position 2"));
    }
}
