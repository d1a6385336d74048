//! MTypes and subscription patterns (SAMP.md §2.4).
//!
//! ```text
//! <mchar>   ::= [0-9a-zA-Z] | "-" | "_"
//! <atom>    ::= <mchar>+
//! <mtype>   ::= <atom> ("." <atom>)*
//! <pattern> ::= <mtype> | <mtype> "." "*" | "*"
//! ```
//!
//! Matching is case-sensitive, and `a.b.*` needs at least one more atom after `a.b.`: it
//! matches `a.b.c` but neither `a.b` nor `a.bc` (unlike JSAMP's matcher).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::Value;

use samp_grammar::PatternForm as PatternKind;
pub use samp_grammar::{
    Problem as MTypeErrorKind, is_valid_mtype, is_valid_pattern, pattern_matches,
};

/// Rejected MType or MType pattern text; the message quotes the text and says what is wrong.
///
/// ```
/// use samp_protocol::MType;
/// let e = MType::parse("table..load").unwrap_err();
/// assert_eq!(e.to_string(), r#"invalid MType "table..load": empty atom at position 6"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct MTypeError {
    text: String,
    kind: MTypeErrorKind,
    pattern: bool,
}

impl fmt::Display for MTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&samp_grammar::describe(&self.text, self.pattern, self.kind))
    }
}

impl MTypeError {
    /// The rejected text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &MTypeErrorKind {
        &self.kind
    }

    /// Whether the text was parsed as a pattern (`true`) or a concrete MType (`false`).
    pub fn is_pattern(&self) -> bool {
        self.pattern
    }
}

/// A validated concrete MType such as `table.load.votable`: what a message's `samp.mtype`
/// must be (wildcards are not allowed there).
///
/// ```
/// use samp_protocol::MType;
/// let m: MType = "samp.app.ping".parse()?;
/// assert_eq!(m.as_str(), "samp.app.ping");
/// assert_eq!(m.atoms().collect::<Vec<_>>(), ["samp", "app", "ping"]);
/// assert!(MType::parse("samp.app.*").is_err());
/// # Ok::<(), samp_protocol::MTypeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MType(String);

impl MType {
    /// Checks `text` against the MType grammar.
    pub fn parse(text: &str) -> Result<MType, MTypeError> {
        match samp_grammar::mtype_problem(text) {
            None => Ok(MType(text.to_owned())),
            Some(kind) => Err(MTypeError {
                text: text.to_owned(),
                kind,
                pattern: false,
            }),
        }
    }

    /// The MType text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unwraps into the owned text.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The dot-separated atoms, in order.
    pub fn atoms(&self) -> std::str::Split<'_, char> {
        self.0.split('.')
    }
}

impl fmt::Display for MType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MType {
    type Err = MTypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MType::parse(s)
    }
}

impl TryFrom<&str> for MType {
    type Error = MTypeError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        MType::parse(s)
    }
}

impl TryFrom<String> for MType {
    type Error = MTypeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match samp_grammar::mtype_problem(&s) {
            None => Ok(MType(s)),
            Some(kind) => Err(MTypeError {
                text: s,
                kind,
                pattern: false,
            }),
        }
    }
}

impl AsRef<str> for MType {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for MType {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<MType> for Value {
    fn from(m: MType) -> Value {
        Value::String(m.0)
    }
}

/// A subscription key: a concrete MType, `<mtype>.*`, or `*` (SAMP.md §2.4).
///
/// Equality, ordering and hashing follow the text alone, so patterns can key maps that
/// are looked up by `&str`.
///
/// ```
/// use samp_protocol::MTypePattern;
/// let p = MTypePattern::parse("table.*")?;
/// assert!(p.matches("table.load.votable") && p.matches("table.x"));
/// assert!(!p.matches("table") && !p.matches("tablex.y") && !p.matches("Table.x"));
/// assert!(MTypePattern::parse("*")?.matches("anything.at.all"));
/// # Ok::<(), samp_protocol::MTypeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MTypePattern {
    text: String,
    kind: PatternKind,
}

impl MTypePattern {
    /// Checks `text` against the pattern grammar.
    pub fn parse(text: &str) -> Result<MTypePattern, MTypeError> {
        Self::parse_owned(text.to_owned())
    }

    fn parse_owned(text: String) -> Result<MTypePattern, MTypeError> {
        let kind = samp_grammar::parse_pattern(&text);
        match kind {
            Ok(kind) => Ok(MTypePattern { text, kind }),
            Err(kind) => Err(MTypeError {
                text,
                kind,
                pattern: true,
            }),
        }
    }

    /// The pattern `*`, matching every MType.
    pub fn any() -> MTypePattern {
        MTypePattern {
            text: "*".to_owned(),
            kind: PatternKind::Any,
        }
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Unwraps into the owned text.
    pub fn into_string(self) -> String {
        self.text
    }

    /// Whether this is `*` or `<mtype>.*`.
    pub fn is_wildcard(&self) -> bool {
        self.kind != PatternKind::Exact
    }

    /// Whether `mtype` is matched: `*` matches any text; `a.b.*` matches text that starts
    /// with `a.b.` followed by one or more well-formed atoms; any other pattern matches
    /// only its exact text. Case-sensitive. No allocation.
    pub fn matches(&self, mtype: &str) -> bool {
        match self.kind {
            PatternKind::Any => true,
            PatternKind::Exact => self.text == mtype,
            PatternKind::Prefix(len) => {
                // The pattern text's first `len + 1` bytes are the prefix and its dot.
                mtype
                    .strip_prefix(&self.text[..=len])
                    .is_some_and(is_valid_mtype)
            }
        }
    }

    /// [`matches`](Self::matches) for an already validated MType.
    pub fn matches_mtype(&self, mtype: &MType) -> bool {
        self.matches(mtype.as_str())
    }

    /// Number of literal atoms: `*` = 0, `table.*` = 1, `table.load` = 2.
    pub fn literal_atoms(&self) -> usize {
        match self.kind {
            PatternKind::Any => 0,
            PatternKind::Prefix(len) => self.text[..len].split('.').count(),
            PatternKind::Exact => self.text.split('.').count(),
        }
    }

    /// Rank for choosing among several matching patterns (higher = more specific):
    /// twice [`literal_atoms`](Self::literal_atoms), plus one for an exact MType, so `*` = 0,
    /// `a.*` = 2, `a` = 3, `a.b.*` = 4, `a.b` = 5. An exact MType thus ranks above a
    /// wildcard with the same atoms, and more atoms always rank higher.
    ///
    /// ```
    /// use samp_protocol::MTypePattern;
    /// let rank = |p: &str| MTypePattern::parse(p).unwrap().specificity();
    /// assert!(rank("*") < rank("table.*"));
    /// assert!(rank("table.*") < rank("table"));
    /// assert!(rank("table") < rank("table.load.*"));
    /// assert!(rank("table.load.*") < rank("table.load.votable"));
    /// ```
    pub fn specificity(&self) -> usize {
        2 * self.literal_atoms() + usize::from(self.kind == PatternKind::Exact)
    }
}

impl PartialEq for MTypePattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for MTypePattern {}

impl Hash for MTypePattern {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for MTypePattern {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MTypePattern {
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl Borrow<str> for MTypePattern {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for MTypePattern {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for MTypePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for MTypePattern {
    type Err = MTypeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MTypePattern::parse(s)
    }
}

impl TryFrom<&str> for MTypePattern {
    type Error = MTypeError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        MTypePattern::parse(s)
    }
}

impl TryFrom<String> for MTypePattern {
    type Error = MTypeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        MTypePattern::parse_owned(s)
    }
}

/// A concrete MType is also the pattern matching exactly itself.
impl From<MType> for MTypePattern {
    fn from(m: MType) -> MTypePattern {
        MTypePattern {
            text: m.0,
            kind: PatternKind::Exact,
        }
    }
}

impl From<MTypePattern> for Value {
    fn from(p: MTypePattern) -> Value {
        Value::String(p.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> MTypePattern {
        MTypePattern::parse(s).unwrap()
    }

    #[test]
    fn valid_mtypes() {
        for s in [
            "a",
            "samp.app.ping",
            "table.load.votable",
            "x-samp.query.by-meta",
            "A_b.0",
        ] {
            assert!(is_valid_mtype(s), "{s}");
            assert_eq!(MType::parse(s).unwrap().as_str(), s);
            assert!(is_valid_pattern(s), "{s}");
        }
    }

    #[test]
    fn invalid_mtypes() {
        for s in [
            "",
            ".",
            ".x",
            "x.",
            "a..b",
            "ta ble",
            "*",
            "a.*",
            "table.*.x",
            "é",
            "a.b\n",
            "a/b",
        ] {
            assert!(!is_valid_mtype(s), "{s:?}");
            let e = MType::parse(s).unwrap_err();
            assert_eq!(e.text(), s);
            assert!(!e.is_pattern());
            assert!(MType::try_from(s.to_owned()).is_err());
        }
    }

    #[test]
    fn mtype_error_messages() {
        let msg = |s: &str| MType::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("table..load"),
            r#"invalid MType "table..load": empty atom at position 6"#
        );
        assert_eq!(msg(""), r#"invalid MType "": empty string"#);
        assert_eq!(msg(".x"), r#"invalid MType ".x": empty atom at position 0"#);
        assert_eq!(msg("x."), r#"invalid MType "x.": empty atom at position 2"#);
        assert!(
            msg("ta ble")
                .starts_with(r#"invalid MType "ta ble": invalid character ' ' at position 2"#)
        );
        assert!(msg("table.*").contains("wildcard '*' at position 6"));
        assert!(
            msg("a\"b").starts_with(r#"invalid MType "a\"b": invalid character '"' at position 1"#)
        );
    }

    #[test]
    fn valid_patterns() {
        for s in [
            "*",
            "table.*",
            "samp.hub.event.*",
            "table",
            "table.load.votable",
        ] {
            assert!(is_valid_pattern(s), "{s}");
            assert_eq!(pat(s).as_str(), s);
        }
        assert!(pat("*").is_wildcard());
        assert!(pat("a.*").is_wildcard());
        assert!(!pat("a").is_wildcard());
    }

    #[test]
    fn invalid_patterns() {
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
        ] {
            assert!(!is_valid_pattern(s), "{s:?}");
            let e = MTypePattern::parse(s).unwrap_err();
            assert!(e.is_pattern());
            assert!(e.to_string().starts_with("invalid MType pattern \""), "{e}");
        }
        let msg = |s: &str| MTypePattern::parse(s).unwrap_err().to_string();
        assert!(msg("table.*.x").contains("misplaced wildcard '*' at position 6"));
        assert!(msg("*.x").contains("misplaced wildcard '*' at position 0"));
        assert_eq!(
            msg("table."),
            r#"invalid MType pattern "table.": empty atom at position 6"#
        );
        assert_eq!(
            msg(".*"),
            r#"invalid MType pattern ".*": empty atom at position 0"#
        );
        assert!(msg("a..b.*").contains("empty atom at position 2"));
    }

    #[test]
    fn wildcard_semantics() {
        let p = pat("table.*");
        assert!(p.matches("table.load.votable"));
        assert!(p.matches("table.x"));
        assert!(!p.matches("table"));
        assert!(!p.matches("tablex.y"));
        assert!(!p.matches("table."));
        assert!(!p.matches("table..x"));
        assert!(!p.matches("Table.x"));
        assert!(!p.matches("xtable.x"));
        assert!(!p.matches(""));

        let deep = pat("samp.hub.event.*");
        assert!(deep.matches("samp.hub.event.register"));
        assert!(!deep.matches("samp.hub.event"));
        assert!(!deep.matches("samp.hub.eventx.y"));
        assert!(!deep.matches("samp.hub.disconnect"));

        let any = pat("*");
        for m in ["table", "table.load.votable", "samp.app.ping"] {
            assert!(any.matches(m));
        }
    }

    #[test]
    fn exact_semantics_are_case_sensitive() {
        let p = pat("coord.pointAt.sky");
        assert!(p.matches("coord.pointAt.sky"));
        assert!(!p.matches("coord.pointat.sky"));
        assert!(!p.matches("coord.pointAt.sky.x"));
        assert!(!p.matches("coord.pointAt"));
        assert!(p.matches_mtype(&MType::parse("coord.pointAt.sky").unwrap()));
    }

    #[test]
    fn specificity_ranks() {
        assert_eq!(pat("*").literal_atoms(), 0);
        assert_eq!(pat("table.*").literal_atoms(), 1);
        assert_eq!(pat("table.load.*").literal_atoms(), 2);
        assert_eq!(pat("table.load").literal_atoms(), 2);
        let order = [
            "*",
            "table.*",
            "table",
            "table.load.*",
            "table.load",
            "table.load.votable",
        ];
        let ranks: Vec<_> = order.iter().map(|p| pat(p).specificity()).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
    }

    #[test]
    fn pattern_identity_is_text() {
        use std::collections::BTreeMap;
        let a = pat("table.*");
        let b = MTypePattern::try_from(String::from("table.*")).unwrap();
        assert_eq!(a, b);
        let m: BTreeMap<MTypePattern, u8> = [(a, 1)].into();
        assert_eq!(m.get("table.*"), Some(&1));
        let exact = MTypePattern::from(MType::parse("a.b").unwrap());
        assert_eq!(exact, pat("a.b"));
        assert!(!exact.is_wildcard());
        assert_eq!(MTypePattern::any(), pat("*"));
        assert_eq!(Value::from(pat("x.*")), Value::from("x.*"));
    }

    #[test]
    fn atoms_and_display() {
        let m: MType = "a.b-c.d_e".parse().unwrap();
        assert_eq!(m.atoms().collect::<Vec<_>>(), ["a", "b-c", "d_e"]);
        assert_eq!(m.to_string(), "a.b-c.d_e");
        assert_eq!(pat("a.*").to_string(), "a.*");
    }
}
