//! SAMP int, float and boolean encodings (SAMP 1.3 §3.4).
//!
//! SAMP has no numeric or boolean wire types: numbers and booleans travel as strings with a
//! fixed lexical form. The grammar, restated from the standard:
//!
//! ```text
//! <SAMP int>     ::= [ <sign> ] <digits>
//! <SAMP float>   ::= [ <sign> ] <float-digits> [ ("e" | "E") [ <sign> ] <digits> ]
//! <float-digits> ::= <digits> | <digits> "." | "." <digits> | <digits> "." <digits>
//! <SAMP boolean> ::= "0" | "1"
//! ```
//!
//! Parsing here is strict (no whitespace, no `0x`, no `inf`/`NaN`, no silent wrap-around),
//! so that a malformed parameter is reported rather than misread. Booleans are the one
//! lenient case: peers read them as SAMP ints where any non-zero value is true, and so do we.

use std::fmt;

/// The longest piece of offending text kept in an error, in characters.
///
/// Error messages quote the text they could not read; a multi-megabyte parameter should not
/// end up in a log line.
const MAX_QUOTED_CHARS: usize = 40;

/// Shortens `text` to at most [`MAX_QUOTED_CHARS`] characters, marking a cut with `…`.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// Why a SAMP scalar could not be read or written.
///
/// Every variant names the expected SAMP type and, when there is one, quotes the offending
/// text (shortened to 40 characters), so the message can be shown to a user as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingError {
    /// The text does not match the SAMP int grammar.
    #[error("invalid SAMP int {text:?}: expected [sign] digits")]
    Int {
        /// The offending text, shortened.
        text: String,
    },
    /// The text does not match the SAMP float grammar.
    #[error(
        "invalid SAMP float {text:?}: expected [sign] digits [\".\" digits] [\"e\" [sign] digits]"
    )]
    Float {
        /// The offending text, shortened.
        text: String,
    },
    /// The text is not a SAMP int, so it cannot be read as a SAMP boolean.
    #[error("invalid SAMP boolean {text:?}: expected a SAMP int such as \"0\" or \"1\"")]
    Bool {
        /// The offending text, shortened.
        text: String,
    },
    /// Well-formed, but the number does not fit the Rust type it is read into.
    #[error("invalid SAMP {kind} {text:?} for {target}: out of range")]
    OutOfRange {
        /// The SAMP type: `int` or `float`.
        kind: &'static str,
        /// The offending text, shortened.
        text: String,
        /// The Rust type it had to fit, e.g. `u8` or `f64`.
        target: &'static str,
    },
    /// NaN and the infinities have no SAMP spelling.
    #[error("cannot encode {value} as a SAMP float: SAMP has no NaN or infinity")]
    NotFinite {
        /// The value that was to be written.
        value: f64,
    },
}

/// A Rust integer type that SAMP ints can be read into; see [`parse_int_as`].
///
/// Implemented for every primitive integer type. Sealed: the range check relies on every
/// implementor fitting into `i128` or `u128`.
pub trait SampInt: Sized + Copy + fmt::Display + sealed::Sealed {
    /// The Rust type name, used in out-of-range messages.
    const NAME: &'static str;
    /// Converts a non-negative magnitude, `None` if it does not fit.
    #[doc(hidden)]
    fn from_u128(v: u128) -> Option<Self>;
    /// Converts a negative value, `None` if it does not fit.
    #[doc(hidden)]
    fn from_i128(v: i128) -> Option<Self>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! samp_int {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl SampInt for $t {
            const NAME: &'static str = stringify!($t);
            fn from_u128(v: u128) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            fn from_i128(v: i128) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
        }
    )*};
}
samp_int!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// Writes an integer as a SAMP int: plain decimal, `-` for negatives.
///
/// ```
/// assert_eq!(samp_protocol::encoding::format_int(-42), "-42");
/// ```
pub fn format_int(i: i64) -> String {
    i.to_string()
}

/// Splits `[sign] digits` into (negative, digits); `None` if `s` does not have that form.
fn split_int(s: &str) -> Option<(bool, &str)> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((negative, digits))
}

/// Reads a SAMP int (`[sign] digits`) into any primitive integer type.
///
/// Leading zeros are allowed (`"007"`), as the grammar allows them; `"-0"` reads as zero even
/// for unsigned types. A number that does not fit `T` is an
/// [`EncodingError::OutOfRange`] naming `T`; it never wraps.
///
/// ```
/// use samp_protocol::encoding::{parse_int_as, EncodingError};
/// assert_eq!(parse_int_as::<u8>("+255"), Ok(255));
/// assert_eq!(
///     parse_int_as::<u8>("300").unwrap_err().to_string(),
///     r#"invalid SAMP int "300" for u8: out of range"#
/// );
/// ```
pub fn parse_int_as<T: SampInt>(s: &str) -> Result<T, EncodingError> {
    let (negative, digits) = split_int(s).ok_or_else(|| EncodingError::Int { text: shorten(s) })?;
    let out_of_range = || EncodingError::OutOfRange {
        kind: "int",
        text: shorten(s),
        target: T::NAME,
    };
    // The digits are validated, so the only possible parse failure is overflow.
    let magnitude: u128 = digits.parse().map_err(|_| out_of_range())?;
    let value = if !negative || magnitude == 0 {
        T::from_u128(magnitude)
    } else if magnitude == i128::MIN.unsigned_abs() {
        T::from_i128(i128::MIN)
    } else {
        i128::try_from(magnitude)
            .ok()
            .and_then(|m| T::from_i128(-m))
    };
    value.ok_or_else(out_of_range)
}

/// Reads a SAMP int (`[sign] digits`, nothing else) into an `i64`.
///
/// Whitespace, `0x`, `_` and the empty string are errors; so is a value outside the `i64`
/// range (it does not wrap).
///
/// ```
/// use samp_protocol::encoding::parse_int;
/// assert_eq!(parse_int("-0042"), Ok(-42));
/// assert!(parse_int(" 1").is_err());
/// assert!(parse_int("9223372036854775808").is_err());
/// ```
pub fn parse_int(s: &str) -> Result<i64, EncodingError> {
    parse_int_as(s)
}

/// Reads a SAMP int into an `i128`, wide enough to range-check any 64-bit target.
///
/// ```
/// use samp_protocol::encoding::parse_int_i128;
/// assert_eq!(parse_int_i128("18446744073709551615"), Ok(u64::MAX as i128));
/// ```
pub fn parse_int_i128(s: &str) -> Result<i128, EncodingError> {
    parse_int_as(s)
}

/// Checks `s` against the SAMP float grammar, without converting it.
fn is_samp_float(s: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_digits = digits(&b[i..]);
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = digits(&b[i..]);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp_digits = digits(&b[i..]);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

/// Writes a finite `f64` as a SAMP float, exactly: parsing the text gives back the same bits.
///
/// Ordinary magnitudes use plain decimal (`"0.5"`, `"-12.25"`, `"3"`); below 1e-5 or from
/// 1e16 on, exponent form (`"1.5e-7"`, `"1e300"`) keeps the text short. Both are the
/// shortest digits that round-trip. NaN and the infinities have no SAMP spelling and are
/// an error.
///
/// ```
/// use samp_protocol::encoding::format_float;
/// assert_eq!(format_float(0.5).unwrap(), "0.5");
/// assert_eq!(format_float(1e300).unwrap(), "1e300");
/// assert!(format_float(f64::NAN).is_err());
/// ```
pub fn format_float(f: f64) -> Result<String, EncodingError> {
    if !f.is_finite() {
        return Err(EncodingError::NotFinite { value: f });
    }
    let a = f.abs();
    Ok(if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{f:e}")
    } else {
        format!("{f}")
    })
}

/// Writes a finite `f32` as a SAMP float with the shortest digits that identify the `f32`.
///
/// Going through [`format_float`] would print the `f64` expansion (`0.1f32` as
/// `"0.10000000149011612"`); this prints `"0.1"`. Read it back with [`parse_float_f32`].
///
/// ```
/// use samp_protocol::encoding::format_float_f32;
/// assert_eq!(format_float_f32(0.1).unwrap(), "0.1");
/// ```
pub fn format_float_f32(f: f32) -> Result<String, EncodingError> {
    if !f.is_finite() {
        return Err(EncodingError::NotFinite { value: f.into() });
    }
    let a = f.abs();
    Ok(if a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{f:e}")
    } else {
        format!("{f}")
    })
}

/// Reads a SAMP float: `[sign] (digits | digits "." | "." digits | digits "." digits)`
/// then an optional `("e" | "E") [sign] digits`.
///
/// `inf`, `NaN`, `""`, `"."`, `"1e"` and surrounding whitespace are errors. A value too large
/// for `f64` is an [`EncodingError::OutOfRange`] rather than infinity; one too small
/// becomes zero or a subnormal, as any decimal reader would make it.
///
/// ```
/// use samp_protocol::encoding::parse_float;
/// assert_eq!(parse_float("-1.5E+2"), Ok(-150.0));
/// assert_eq!(parse_float(".5"), Ok(0.5));
/// assert!(parse_float("inf").is_err());
/// assert!(parse_float("1e400").is_err());
/// ```
pub fn parse_float(s: &str) -> Result<f64, EncodingError> {
    parse_float_with(s, "f64")
}

/// Reads a SAMP float straight into an `f32`, rounded once (not via `f64`).
///
/// Values beyond the `f32` range are an [`EncodingError::OutOfRange`] naming `f32`.
///
/// ```
/// use samp_protocol::encoding::parse_float_f32;
/// assert_eq!(parse_float_f32("0.1"), Ok(0.1f32));
/// assert!(parse_float_f32("1e39").is_err());
/// ```
pub fn parse_float_f32(s: &str) -> Result<f32, EncodingError> {
    parse_float_with(s, "f32")
}

fn parse_float_with<F>(s: &str, target: &'static str) -> Result<F, EncodingError>
where
    F: std::str::FromStr + Copy + Into<f64>,
{
    if !is_samp_float(s) {
        return Err(EncodingError::Float { text: shorten(s) });
    }
    // The grammar is a subset of what Rust's float parser accepts.
    let value: F = s
        .parse()
        .map_err(|_| EncodingError::Float { text: shorten(s) })?;
    if value.into().is_finite() {
        Ok(value)
    } else {
        Err(EncodingError::OutOfRange {
            kind: "float",
            text: shorten(s),
            target,
        })
    }
}

/// Writes a boolean as the SAMP boolean `"1"` or `"0"`.
///
/// ```
/// assert_eq!(samp_protocol::encoding::format_bool(true), "1");
/// ```
pub fn format_bool(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// Reads a SAMP boolean the way peers do: as a SAMP int, where any non-zero value is true.
///
/// So `"1"`, `"2"`, `"-1"`, `"007"` are true; `"0"`, `"+0"`, `"-0"`, `"000"` are false. The
/// size of the int does not matter (a 30-digit number is simply non-zero). Text that is not
/// a SAMP int, such as `"true"` or `""`, is an error rather than a silent `false`.
///
/// ```
/// use samp_protocol::encoding::parse_bool;
/// assert_eq!(parse_bool("1"), Ok(true));
/// assert_eq!(parse_bool("-0"), Ok(false));
/// assert!(parse_bool("yes").is_err());
/// ```
pub fn parse_bool(s: &str) -> Result<bool, EncodingError> {
    let (_, digits) = split_int(s).ok_or_else(|| EncodingError::Bool { text: shorten(s) })?;
    Ok(digits.bytes().any(|b| b != b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_parse_strictly() {
        assert_eq!(parse_int("0"), Ok(0));
        assert_eq!(parse_int("+17"), Ok(17));
        assert_eq!(parse_int("-17"), Ok(-17));
        assert_eq!(parse_int("007"), Ok(7));
        assert_eq!(parse_int("-0"), Ok(0));
        assert_eq!(parse_int(&i64::MAX.to_string()), Ok(i64::MAX));
        assert_eq!(parse_int(&i64::MIN.to_string()), Ok(i64::MIN));
        for bad in [
            "", "+", "-", " 1", "1 ", "0x10", "1_000", "1.0", "1e3", "12a", "--1", "+-1", "١",
        ] {
            assert_eq!(
                parse_int(bad),
                Err(EncodingError::Int { text: bad.into() }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ints_out_of_range_do_not_wrap() {
        let e = parse_int("9223372036854775808").unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"invalid SAMP int "9223372036854775808" for i64: out of range"#
        );
        assert!(parse_int("-9223372036854775809").is_err());
        assert!(parse_int("100000000000000000000000000000000000000000").is_err());
        assert_eq!(
            parse_int_i128("-170141183460469231731687303715884105728"),
            Ok(i128::MIN)
        );
        assert!(parse_int_i128("-170141183460469231731687303715884105729").is_err());
        assert_eq!(
            parse_int_as::<u128>("340282366920938463463374607431768211455"),
            Ok(u128::MAX)
        );
        assert!(parse_int_as::<u128>("340282366920938463463374607431768211456").is_err());
        assert_eq!(parse_int_as::<u8>("255"), Ok(255));
        assert_eq!(parse_int_as::<u8>("-0"), Ok(0));
        assert_eq!(
            parse_int_as::<u8>("-1").unwrap_err().to_string(),
            r#"invalid SAMP int "-1" for u8: out of range"#
        );
        assert_eq!(parse_int_as::<i8>("-128"), Ok(-128));
        assert!(parse_int_as::<i8>("128").is_err());
        assert_eq!(
            parse_int_as::<u64>("0000000000000000000000000000000000000000001"),
            Ok(1)
        );
    }

    #[test]
    fn int_error_message() {
        assert_eq!(
            parse_int("12a").unwrap_err().to_string(),
            r#"invalid SAMP int "12a": expected [sign] digits"#
        );
    }

    #[test]
    fn long_text_is_shortened_in_errors() {
        let long = "x".repeat(1000);
        let msg = parse_int(&long).unwrap_err().to_string();
        assert!(msg.len() < 120, "{msg}");
        assert!(msg.contains(&format!("\"{}…\"", "x".repeat(40))), "{msg}");
        // Cutting never splits a multi-byte character.
        let wide = "é".repeat(100);
        assert!(parse_float(&wide).unwrap_err().to_string().contains('…'));
    }

    #[test]
    fn ints_format_as_plain_decimal() {
        assert_eq!(format_int(0), "0");
        assert_eq!(format_int(i64::MIN), "-9223372036854775808");
        assert_eq!(format_int(i64::MAX), "9223372036854775807");
    }

    #[test]
    fn floats_parse_strictly() {
        for (s, v) in [
            ("1", 1.0),
            ("1.", 1.0),
            (".5", 0.5),
            ("-.5", -0.5),
            ("+2.25", 2.25),
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("1.5e-3", 0.0015),
            ("1.5E+3", 1500.0),
            ("00.100", 0.1),
            ("1e-400", 0.0),
            ("1.7976931348623157e308", f64::MAX),
        ] {
            assert_eq!(parse_float(s), Ok(v), "{s:?}");
        }
        assert!(parse_float("-0").unwrap().is_sign_negative());
        for bad in [
            "", ".", "+", "-", "+.", "e5", ".e5", "1e", "1e+", "1.5.2", " 1", "1 ", "inf", "-inf",
            "Infinity", "NaN", "nan", "0x1p3", "1_0", "1,5", "1e5.0", "1d5", "١",
        ] {
            assert_eq!(
                parse_float(bad),
                Err(EncodingError::Float { text: bad.into() }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn float_overflow_is_an_error() {
        assert_eq!(
            parse_float("1e400").unwrap_err().to_string(),
            r#"invalid SAMP float "1e400" for f64: out of range"#
        );
        assert!(parse_float("-1.8e308").is_err());
        assert_eq!(
            parse_float_f32("1e39").unwrap_err().to_string(),
            r#"invalid SAMP float "1e39" for f32: out of range"#
        );
        assert_eq!(parse_float_f32("3.4028235e38"), Ok(f32::MAX));
    }

    #[test]
    fn float_error_message() {
        assert_eq!(
            parse_float("abc").unwrap_err().to_string(),
            r#"invalid SAMP float "abc": expected [sign] digits ["." digits] ["e" [sign] digits]"#
        );
    }

    #[test]
    fn floats_format_and_round_trip() {
        for (f, s) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.5, "0.5"),
            (-12.25, "-12.25"),
            (0.1, "0.1"),
            (1e15, "1000000000000000"),
            (1e16, "1e16"),
            (1.5e-7, "1.5e-7"),
            (1e-5, "0.00001"),
            (1e300, "1e300"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(format_float(f).unwrap(), s);
            assert_eq!(parse_float(s).unwrap().to_bits(), f.to_bits(), "{s}");
            assert!(is_samp_float(s), "{s}");
        }
    }

    #[test]
    fn non_finite_floats_are_refused() {
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(matches!(
                format_float(f),
                Err(EncodingError::NotFinite { value }) if value.to_bits() == f.to_bits()
            ));
        }
        assert!(format_float_f32(f32::NAN).is_err());
        assert_eq!(
            format_float(f64::INFINITY).unwrap_err().to_string(),
            "cannot encode inf as a SAMP float: SAMP has no NaN or infinity"
        );
    }

    #[test]
    fn f32_formats_with_its_own_digits() {
        for f in [0.1f32, -3.4028235e38, 1e-45, 16777216.0, 1e16, 0.0] {
            let s = format_float_f32(f).unwrap();
            assert!(is_samp_float(&s), "{s}");
            assert_eq!(parse_float_f32(&s).unwrap().to_bits(), f.to_bits(), "{s}");
        }
        assert_eq!(format_float_f32(1e16).unwrap(), "1e16");
    }

    #[test]
    fn booleans() {
        assert_eq!(format_bool(true), "1");
        assert_eq!(format_bool(false), "0");
        for t in ["1", "2", "-1", "+1", "007", "100000000000000000000000"] {
            assert_eq!(parse_bool(t), Ok(true), "{t:?}");
        }
        for f in ["0", "+0", "-0", "000"] {
            assert_eq!(parse_bool(f), Ok(false), "{f:?}");
        }
        for bad in ["", "true", "false", " 1", "1.0", "yes", "+"] {
            assert_eq!(
                parse_bool(bad),
                Err(EncodingError::Bool { text: bad.into() }),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_bool("true").unwrap_err().to_string(),
            r#"invalid SAMP boolean "true": expected a SAMP int such as "0" or "1""#
        );
    }
}
