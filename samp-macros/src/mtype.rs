//! The MType pattern grammar, checked at compile time by the one definition in
//! `samp-grammar` that the runtime uses too, so both report the same problem in the same
//! words.

/// Checks `text` as a subscription pattern; `Err` says what is wrong, in the runtime's
/// words (`invalid MType pattern "a..b": empty atom at position 2`).
pub(crate) fn check_pattern(text: &str) -> Result<(), String> {
    match samp_grammar::pattern_problem(text) {
        None => Ok(()),
        Some(problem) => Err(samp_grammar::describe(text, true, problem)),
    }
}

#[cfg(test)]
mod tests {
    use super::check_pattern;

    #[test]
    fn messages_name_the_problem() {
        assert_eq!(check_pattern("table.*"), Ok(()));
        assert_eq!(
            check_pattern("table.").unwrap_err(),
            r#"invalid MType pattern "table.": empty atom at position 6"#
        );
        assert!(
            check_pattern("table.*.x")
                .unwrap_err()
                .contains("misplaced wildcard")
        );
    }
}
