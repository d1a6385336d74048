//! Parsing the attribute's arguments:
//! `("mtype.pattern", annotations("key" = "value", ...), group = "name", crate = "path")`,
//! where the MType may be left out when the params type knows it.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, LitStr, Path, Token};

use crate::mtype::check_pattern;

/// What kind of handler an attribute declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[samp::notification]`
    Notification,
    /// `#[samp::call]`
    Call,
}

impl Kind {
    /// The attribute's name, for messages.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            Kind::Notification => "notification",
            Kind::Call => "call",
        }
    }
}

/// The parsed attribute arguments.
pub(crate) struct Args {
    /// The MType pattern, already checked against the grammar; `None` when the params
    /// type is to give it.
    pub(crate) mtype: Option<LitStr>,
    /// Subscription annotations, in the order written; keys are unique.
    pub(crate) annotations: Vec<(LitStr, LitStr)>,
    /// `group = "..."`.
    pub(crate) group: Option<LitStr>,
    /// `crate = "..."`: the path of the `samp` facade (default `::samp`).
    pub(crate) krate: Path,
}

/// Parses the arguments of `#[samp::<kind>(...)]`. Every error points at the offending
/// tokens and says what to write instead.
pub(crate) fn parse_args(kind: Kind, attr: TokenStream) -> syn::Result<Args> {
    let parser = |input: ParseStream| {
        let mtype = if input.peek(syn::Lit) {
            Some(parse_mtype(kind, input)?)
        } else {
            None
        };
        let mut args = Args {
            mtype,
            annotations: Vec::new(),
            group: None,
            krate: syn::parse_quote!(::samp),
        };
        let mut seen_annotations = false;
        let mut first = args.mtype.is_none();
        while !input.is_empty() {
            if !first {
                input.parse::<Token![,]>()?;
                if input.is_empty() {
                    break;
                }
            }
            first = false;
            if input.peek(Token![crate]) {
                let kw: Token![crate] = input.parse()?;
                input.parse::<Token![=]>()?;
                let lit: LitStr = input.parse()?;
                args.krate = lit.parse::<Path>().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "`crate` takes the path of the samp crate as a string, e.g. \
                         crate = \"my_samp\"",
                    )
                })?;
                let _ = kw;
                continue;
            }
            let name: Ident = input
                .parse()
                .map_err(|e| syn::Error::new(e.span(), unknown_argument_message(kind, None)))?;
            match name.to_string().as_str() {
                "annotations" => {
                    if seen_annotations {
                        return Err(syn::Error::new(
                            name.span(),
                            "`annotations(...)` given twice: put all the annotations in one list",
                        ));
                    }
                    seen_annotations = true;
                    let content;
                    syn::parenthesized!(content in input);
                    let pairs = Punctuated::<Annotation, Token![,]>::parse_terminated(&content)?;
                    for Annotation { key, value } in pairs {
                        if args
                            .annotations
                            .iter()
                            .any(|(k, _)| k.value() == key.value())
                        {
                            return Err(syn::Error::new(
                                key.span(),
                                format!("annotation {:?} given twice", key.value()),
                            ));
                        }
                        args.annotations.push((key, value));
                    }
                }
                "group" => {
                    if args.group.is_some() {
                        return Err(syn::Error::new(name.span(), "`group` given twice"));
                    }
                    input.parse::<Token![=]>()?;
                    let lit: LitStr = input.parse().map_err(|e| {
                        syn::Error::new(e.span(), "`group` takes a string, e.g. group = \"viewer\"")
                    })?;
                    if lit.value().is_empty() {
                        return Err(syn::Error::new(
                            lit.span(),
                            "the group name must not be empty",
                        ));
                    }
                    args.group = Some(lit);
                }
                other if input.peek(Token![.]) => {
                    let _ = other;
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "the MType goes in quotes, as a string literal: #[samp::{}(\"{}\")]",
                            kind.attr(),
                            example(kind)
                        ),
                    ));
                }
                other => {
                    return Err(syn::Error::new(
                        name.span(),
                        unknown_argument_message(kind, Some(other)),
                    ));
                }
            }
        }
        Ok(args)
    };
    parser.parse2(attr)
}

/// An MType example that fits the attribute.
fn example(kind: Kind) -> &'static str {
    match kind {
        Kind::Notification => "coord.pointAt.sky",
        Kind::Call => "table.load.votable",
    }
}

fn unknown_argument_message(kind: Kind, name: Option<&str>) -> String {
    let what = match name {
        Some(name) => format!("unknown argument `{name}`"),
        None => "expected an argument".to_owned(),
    };
    format!(
        "{what} to #[samp::{}]: after the MType, write any of \
         `annotations(\"key\" = \"value\", ...)`, `group = \"name\"`, `crate = \"path\"`",
        kind.attr()
    )
}

/// The first argument: a string literal holding a valid MType pattern.
fn parse_mtype(kind: Kind, input: ParseStream) -> syn::Result<LitStr> {
    let hint = || {
        format!(
            "the first argument of #[samp::{}] is the MType as a string literal, \
             e.g. #[samp::{}(\"{}\")]",
            kind.attr(),
            kind.attr(),
            example(kind)
        )
    };
    if !input.peek(syn::Lit) {
        return Err(syn::Error::new(input.span(), hint()));
    }
    let lit: Lit = input.parse()?;
    let Lit::Str(lit) = lit else {
        return Err(syn::Error::new(lit.span(), hint()));
    };
    if let Err(problem) = check_pattern(&lit.value()) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{problem}; an MType is dot-separated atoms of 0-9 a-z A-Z - _, such as \
                 \"{}\", and a subscription may end in \".*\" (\"table.*\") or be \"*\"",
                example(kind)
            ),
        ));
    }
    Ok(lit)
}

/// `"key" = "value"` in `annotations(...)`; the value may also be an integer or boolean
/// literal, written out with the SAMP encodings (`1`, `"1"`/`"0"`).
struct Annotation {
    key: LitStr,
    value: LitStr,
}

impl Parse for Annotation {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "annotation keys are strings: annotations(\"x-samp.mostly-harmless\" = \"1\")",
            )
        })?;
        if key.value().is_empty() {
            return Err(syn::Error::new(
                key.span(),
                "annotation keys must not be empty",
            ));
        }
        input.parse::<Token![=]>()?;
        let value = match input.parse::<Lit>() {
            Ok(Lit::Str(s)) => s,
            Ok(Lit::Int(i)) => LitStr::new(i.base10_digits(), i.span()),
            Ok(Lit::Bool(b)) => LitStr::new(if b.value { "1" } else { "0" }, b.span),
            Ok(other) => {
                return Err(syn::Error::new(
                    other.span(),
                    "annotation values are strings: annotations(\"x-samp.mostly-harmless\" = \"1\")",
                ));
            }
            Err(e) => {
                return Err(syn::Error::new(
                    e.span(),
                    "annotation values are strings: annotations(\"x-samp.mostly-harmless\" = \"1\")",
                ));
            }
        };
        Ok(Annotation { key, value })
    }
}
