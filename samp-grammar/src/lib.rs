//! The MType grammar of SAMP 1.3 and the names of the well-known map keys, with no
//! dependencies, so that both the protocol crate (at run time) and the attribute macros (at
//! compile time) read MTypes by one definition.
//!
//! ```text
//! <mchar>   ::= [0-9a-zA-Z] | "-" | "_"
//! <atom>    ::= <mchar>+
//! <mtype>   ::= <atom> ("." <atom>)*
//! <pattern> ::= <mtype> | <mtype> "." "*" | "*"
//! ```
//!
//! Matching rules live with the pattern type in `samp-protocol`; this crate only says
//! whether text is well-formed and, if not, what is wrong with it.
//!
//! ```
//! use samp_grammar::{is_valid_mtype, pattern_problem, Problem};
//! assert!(is_valid_mtype("table.load.votable"));
//! assert_eq!(pattern_problem("table..x"), Some(Problem::EmptyAtom { position: 6 }));
//! ```

#![no_std]
#![warn(missing_docs)]

extern crate alloc;

use core::fmt;

pub mod names;

/// Whether `b` is an MType character `[0-9a-zA-Z_-]`.
pub const fn is_mchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Whether `bytes[..end]` is `<atom>("."<atom>)*`.
const fn valid_mtype_prefix(bytes: &[u8], end: usize) -> bool {
    if end == 0 || end > bytes.len() {
        return false;
    }
    let mut i = 0;
    let mut atom_len = 0;
    while i < end {
        let b = bytes[i];
        if b == b'.' {
            if atom_len == 0 {
                return false;
            }
            atom_len = 0;
        } else if is_mchar(b) {
            atom_len += 1;
        } else {
            return false;
        }
        i += 1;
    }
    atom_len > 0
}

/// Whether `text` is a concrete MType (`<atom>("."<atom>)*`, no wildcard).
///
/// `const`, so generated code can check an MType at compile time.
///
/// ```
/// use samp_grammar::is_valid_mtype;
/// const OK: bool = is_valid_mtype("table.load.votable");
/// assert!(OK);
/// assert!(!is_valid_mtype("table.*"));
/// assert!(!is_valid_mtype("a..b"));
/// ```
pub const fn is_valid_mtype(text: &str) -> bool {
    let bytes = text.as_bytes();
    valid_mtype_prefix(bytes, bytes.len())
}

/// Whether `text` is a subscription pattern: an MType, `<mtype>.*`, or `*`.
///
/// ```
/// use samp_grammar::is_valid_pattern;
/// assert!(is_valid_pattern("*") && is_valid_pattern("table.*") && is_valid_pattern("table"));
/// assert!(!is_valid_pattern("table.*.x") && !is_valid_pattern("*.x") && !is_valid_pattern("table."));
/// ```
pub const fn is_valid_pattern(text: &str) -> bool {
    let b = text.as_bytes();
    let n = b.len();
    if n == 1 && b[0] == b'*' {
        return true;
    }
    if n >= 3 && b[n - 1] == b'*' && b[n - 2] == b'.' {
        return valid_mtype_prefix(b, n - 2);
    }
    valid_mtype_prefix(b, n)
}

/// Whether subscription pattern `pattern` matches MType `mtype` (both assumed
/// well-formed): `*` matches everything, `a.b.*` matches `a.b.` followed by at least one
/// more atom, anything else only itself. Case-sensitive. `const`, so generated code can
/// compare MTypes at compile time.
///
/// ```
/// use samp_grammar::pattern_matches;
/// const YES: bool = pattern_matches("table.*", "table.load.votable");
/// assert!(YES && pattern_matches("*", "x") && pattern_matches("a.b", "a.b"));
/// assert!(!pattern_matches("table.*", "table") && !pattern_matches("table.*", "tablex.y"));
/// ```
pub const fn pattern_matches(pattern: &str, mtype: &str) -> bool {
    let p = pattern.as_bytes();
    let m = mtype.as_bytes();
    if p.len() == 1 && p[0] == b'*' {
        return true;
    }
    if p.len() >= 2 && p[p.len() - 1] == b'*' && p[p.len() - 2] == b'.' {
        // `prefix.*`: mtype starts with `prefix.` and has more after it.
        let keep = p.len() - 1;
        if m.len() <= keep {
            return false;
        }
        let mut i = 0;
        while i < keep {
            if p[i] != m[i] {
                return false;
            }
            i += 1;
        }
        return m[keep] != b'.';
    }
    if p.len() != m.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if p[i] != m[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What is wrong with a piece of MType (or pattern) text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The text is empty.
    Empty,
    /// An atom has no characters (leading, trailing or doubled `.`); `position` is the byte
    /// offset where the atom should have started.
    EmptyAtom {
        /// Byte offset of the missing atom.
        position: usize,
    },
    /// A character outside `[0-9a-zA-Z_-]`, `.` (and `*` in patterns).
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset.
        position: usize,
    },
    /// `*` in a concrete MType, where wildcards are not allowed.
    WildcardInMType {
        /// Byte offset of the `*`.
        position: usize,
    },
    /// `*` in a pattern other than as the whole pattern or the last atom.
    MisplacedWildcard {
        /// Byte offset of the `*`.
        position: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("empty string"),
            Problem::EmptyAtom { position } => write!(f, "empty atom at position {position}"),
            Problem::InvalidChar { ch, position } => write!(
                f,
                "invalid character {ch:?} at position {position} (allowed: 0-9 a-z A-Z - _ and . between atoms)"
            ),
            Problem::WildcardInMType { position } => write!(
                f,
                "wildcard '*' at position {position} (only subscription patterns may use wildcards)"
            ),
            Problem::MisplacedWildcard { position } => write!(
                f,
                "misplaced wildcard '*' at position {position} (allowed only as the whole pattern or the last atom, as in \"table.*\")"
            ),
        }
    }
}

/// The first problem in `text[..end]` read as a concrete MType; `in_pattern` only changes
/// how a `*` is reported.
fn mtype_prefix_problem(text: &str, end: usize, in_pattern: bool) -> Option<Problem> {
    if text.is_empty() {
        return Some(Problem::Empty);
    }
    let mut atom_start = 0;
    for (position, ch) in text[..end].char_indices() {
        match ch {
            '.' if position == atom_start => {
                return Some(Problem::EmptyAtom {
                    position: atom_start,
                });
            }
            '.' => atom_start = position + 1,
            c if c.is_ascii() && is_mchar(c as u8) => {}
            '*' if in_pattern => return Some(Problem::MisplacedWildcard { position }),
            '*' => return Some(Problem::WildcardInMType { position }),
            ch => return Some(Problem::InvalidChar { ch, position }),
        }
    }
    if atom_start == end {
        return Some(Problem::EmptyAtom {
            position: atom_start,
        });
    }
    None
}

/// What is wrong with `text` as a concrete MType, or `None` if it is one.
///
/// ```
/// use samp_grammar::{mtype_problem, Problem};
/// assert_eq!(mtype_problem("samp.app.ping"), None);
/// assert_eq!(mtype_problem("a.*"), Some(Problem::WildcardInMType { position: 2 }));
/// ```
pub fn mtype_problem(text: &str) -> Option<Problem> {
    mtype_prefix_problem(text, text.len(), false)
}

/// The form a well-formed pattern takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternForm {
    /// `*`: every MType.
    Any,
    /// `<prefix>.*`; the prefix (without the dot) is `text[..len]`.
    Prefix(usize),
    /// A concrete MType, matching only itself.
    Exact,
}

/// Reads `text` as a subscription pattern: its form, or what is wrong with it.
///
/// ```
/// use samp_grammar::{parse_pattern, PatternForm, Problem};
/// assert_eq!(parse_pattern("*"), Ok(PatternForm::Any));
/// assert_eq!(parse_pattern("table.*"), Ok(PatternForm::Prefix(5)));
/// assert_eq!(parse_pattern("table"), Ok(PatternForm::Exact));
/// assert_eq!(parse_pattern(".*"), Err(Problem::EmptyAtom { position: 0 }));
/// ```
pub fn parse_pattern(text: &str) -> Result<PatternForm, Problem> {
    if text == "*" {
        return Ok(PatternForm::Any);
    }
    if let Some(prefix) = text.strip_suffix(".*") {
        let len = prefix.len();
        return match mtype_prefix_problem(text, len, true) {
            // `.*` alone: the prefix's atom is missing.
            Some(Problem::Empty) => Err(Problem::EmptyAtom { position: 0 }),
            Some(problem) => Err(problem),
            None => Ok(PatternForm::Prefix(len)),
        };
    }
    match mtype_prefix_problem(text, text.len(), true) {
        Some(problem) => Err(problem),
        None => Ok(PatternForm::Exact),
    }
}

/// What is wrong with `text` as a subscription pattern, or `None` if it is one.
pub fn pattern_problem(text: &str) -> Option<Problem> {
    parse_pattern(text).err()
}

/// The message for rejected text: `invalid MType "a..b": empty atom at position 2` (or
/// `invalid MType pattern ...`). One wording for compile-time and run-time errors.
///
/// ```
/// use samp_grammar::{describe, pattern_problem};
/// let p = pattern_problem("table.").unwrap();
/// assert_eq!(describe("table.", true, p), r#"invalid MType pattern "table.": empty atom at position 6"#);
/// ```
pub fn describe(text: &str, pattern: bool, problem: Problem) -> alloc::string::String {
    let what = if pattern { "MType pattern" } else { "MType" };
    alloc::format!("invalid {what} {text:?}: {problem}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MTYPES: &[&str] = &[
        "a",
        "samp.app.ping",
        "table.load.votable",
        "x-samp.query.by-meta",
        "A_b.0",
        "coord.pointAt.sky",
    ];

    const NOT_PATTERNS: &[&str] = &[
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
    ];

    #[test]
    fn const_and_checked_forms_agree() {
        for s in MTYPES {
            assert!(is_valid_mtype(s) && mtype_problem(s).is_none(), "{s}");
            assert!(is_valid_pattern(s) && parse_pattern(s) == Ok(PatternForm::Exact));
        }
        for s in NOT_PATTERNS {
            assert!(!is_valid_pattern(s), "{s:?}");
            assert!(pattern_problem(s).is_some(), "{s:?}");
            assert!(!is_valid_mtype(s) && mtype_problem(s).is_some(), "{s:?}");
        }
        for s in ["*", "table.*", "samp.hub.event.*"] {
            assert!(is_valid_pattern(s) && pattern_problem(s).is_none(), "{s}");
            assert!(!is_valid_mtype(s) && mtype_problem(s).is_some(), "{s}");
        }
    }

    #[test]
    fn problems_say_where() {
        assert_eq!(mtype_problem(""), Some(Problem::Empty));
        assert_eq!(
            mtype_problem(".x"),
            Some(Problem::EmptyAtom { position: 0 })
        );
        assert_eq!(
            mtype_problem("x."),
            Some(Problem::EmptyAtom { position: 2 })
        );
        assert_eq!(
            mtype_problem("ta ble"),
            Some(Problem::InvalidChar {
                ch: ' ',
                position: 2
            })
        );
        assert_eq!(
            pattern_problem("table.*.x"),
            Some(Problem::MisplacedWildcard { position: 6 })
        );
        assert_eq!(
            pattern_problem("*.x"),
            Some(Problem::MisplacedWildcard { position: 0 })
        );
        assert_eq!(
            pattern_problem("a..b.*"),
            Some(Problem::EmptyAtom { position: 2 })
        );
        assert_eq!(pattern_problem(""), Some(Problem::Empty));
    }
}
