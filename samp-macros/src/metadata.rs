//! Expansion of `samp::metadata!()`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Path, Token};

/// One metadata entry: the override name, the metadata keys it fills, and the Cargo
/// variable(s) it defaults to (the first non-empty one wins).
struct Field {
    name: &'static str,
    keys: &'static [&'static str],
    cargo: &'static [&'static str],
}

const FIELDS: &[Field] = &[
    Field {
        name: "name",
        keys: &["samp.name"],
        cargo: &["CARGO_PKG_NAME"],
    },
    Field {
        name: "description",
        keys: &["samp.description.text"],
        cargo: &["CARGO_PKG_DESCRIPTION"],
    },
    Field {
        name: "description_html",
        keys: &["samp.description.html"],
        cargo: &[],
    },
    Field {
        name: "icon",
        keys: &["samp.icon.url"],
        cargo: &[],
    },
    Field {
        name: "documentation",
        keys: &["samp.documentation.url"],
        cargo: &["CARGO_PKG_HOMEPAGE", "CARGO_PKG_REPOSITORY"],
    },
    Field {
        name: "homepage",
        keys: &["home.page"],
        cargo: &["CARGO_PKG_HOMEPAGE", "CARGO_PKG_REPOSITORY"],
    },
    Field {
        name: "author",
        keys: &["author.name"],
        cargo: &["CARGO_PKG_AUTHORS"],
    },
    Field {
        name: "email",
        keys: &["author.email"],
        cargo: &[],
    },
    Field {
        name: "version",
        keys: &["x-samp.release.version"],
        cargo: &["CARGO_PKG_VERSION"],
    },
];

fn names() -> String {
    FIELDS
        .iter()
        .map(|f| format!("`{}`", f.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `metadata!()` / `metadata!(name = "...", icon = "...", crate = "path")`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match parse(input) {
        Ok((krate, overrides)) => generate(&krate, &overrides),
        Err(e) => e.to_compile_error(),
    }
}

type Overrides = Vec<(usize, LitStr)>;

fn parse(input: TokenStream) -> syn::Result<(Path, Overrides)> {
    let parser = |input: ParseStream| {
        let mut krate: Path = syn::parse_quote!(::samp);
        let mut overrides: Overrides = Vec::new();
        while !input.is_empty() {
            if input.peek(Token![crate]) {
                input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                let lit: LitStr = input.parse()?;
                krate = lit.parse()?;
            } else {
                let name: Ident = input.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        format!(
                            "metadata!() takes `key = \"value\"` overrides; keys: {}",
                            names()
                        ),
                    )
                })?;
                let Some(index) = FIELDS.iter().position(|f| name == f.name) else {
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "unknown metadata key `{name}`; known keys: {} (for any other \
                             key, use `metadata!().with(\"key\", \"value\")`)",
                            names()
                        ),
                    ));
                };
                if overrides.iter().any(|(i, _)| *i == index) {
                    return Err(syn::Error::new(
                        name.span(),
                        format!("`{name}` given twice"),
                    ));
                }
                input.parse::<Token![=]>()?;
                let lit: LitStr = input
                    .parse()
                    .map_err(|e| syn::Error::new(e.span(), format!("`{name}` takes a string")))?;
                overrides.push((index, lit));
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok((krate, overrides))
    };
    parser.parse2(input)
}

fn generate(krate: &Path, overrides: &Overrides) -> TokenStream {
    let entries = FIELDS.iter().enumerate().flat_map(|(i, field)| {
        let value = match overrides.iter().find(|(j, _)| *j == i) {
            Some((_, lit)) => quote!(#lit),
            None if field.cargo.is_empty() => return Vec::new(),
            None => {
                let vars = field
                    .cargo
                    .iter()
                    .map(|v| LitStr::new(v, Span::call_site()));
                quote!(__samp::first_non_empty(&[#(::core::env!(#vars)),*]))
            }
        };
        let author = field.name == "author" && overrides.iter().all(|(j, _)| *j != i);
        field
            .keys
            .iter()
            .map(|key| {
                if author {
                    // Cargo joins authors with ':'.
                    quote!(__samp::metadata_authors(&mut __samp_md, #key, #value);)
                } else {
                    quote!(__samp::metadata_entry(&mut __samp_md, #key, #value);)
                }
            })
            .collect::<Vec<_>>()
    });
    quote! {{
        use #krate::__private as __samp;
        let mut __samp_md = __samp::Metadata::new();
        #(#entries)*
        __samp_md
    }}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_cargo() {
        let out = expand(TokenStream::new()).to_string();
        assert!(out.contains("use :: samp :: __private as __samp"), "{out}");
        assert!(out.contains(
            r#"metadata_entry (& mut __samp_md , "samp.name" , __samp :: first_non_empty (& [:: core :: env ! ("CARGO_PKG_NAME")]))"#
        ));
        assert!(
            out.contains(r#""CARGO_PKG_HOMEPAGE") , :: core :: env ! ("CARGO_PKG_REPOSITORY")"#)
        );
        assert!(out.contains(r#"metadata_authors (& mut __samp_md , "author.name""#));
        assert!(out.contains(r#""x-samp.release.version""#));
        assert!(!out.contains("samp.icon.url"));
    }

    #[test]
    fn overrides_replace_defaults() {
        let out = expand(quote!(
            name = "Viewer",
            icon = "http://x/i.png",
            author = "A: B",
            crate = "s"
        ))
        .to_string();
        assert!(out.contains("use s :: __private as __samp"), "{out}");
        assert!(out.contains(r#"metadata_entry (& mut __samp_md , "samp.name" , "Viewer")"#));
        assert!(out.contains(r#""samp.icon.url" , "http://x/i.png""#));
        assert!(out.contains(r#"metadata_entry (& mut __samp_md , "author.name" , "A: B")"#));
        assert!(!out.contains("CARGO_PKG_NAME"));
    }

    #[test]
    fn errors() {
        for (input, want) in [
            (quote!(nmae = "x"), "unknown metadata key `nmae`"),
            (quote!(name = 1), "`name` takes a string"),
            (quote!(name = "a", name = "b"), "given twice"),
            (quote!("x"), "takes `key = \\\"value\\\"` overrides"),
        ] {
            let out = expand(input).to_string();
            assert!(out.contains("compile_error"), "{out}");
            assert!(out.contains(want), "{out}");
        }
    }
}
