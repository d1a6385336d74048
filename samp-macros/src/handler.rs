//! Expansion of `#[samp::notification]` and `#[samp::call]`.
//!
//! The function is kept as written; beside it goes a registration whose adapter runs the
//! function through the same traits as a closure given to `bind_*` (through the
//! [`Handler`] impls): `FromMessage` for each argument, `IntoResponse` for the output.
//!
//! ```text
//! /// Load a table.
//! #[samp::call]
//! async fn load(table: TableLoadVotable, State(v): State<Viewer>) -> Result<(), E> { ... }
//!
//! const _: () = {
//!     use ::samp::__private as __samp;
//!     const __SAMP_MTYPE: &str = /* the attribute's, or the first argument type's MType */;
//!     fn __samp_adapter(ctx: __samp::Context, params: __samp::Map) -> __samp::HandlerFuture {
//!         let mut parts = __samp::parts(ctx, params, &[<TableLoadVotable as FromMessage>::KIND, ..]);
//!         let a0: TableLoadVotable = match FromMessage::from_message(&mut parts) { .. };
//!         let a1: State<Viewer> = ..;
//!         Box::pin(async move { IntoResponse::into_response(load(a0, a1).await) })
//!     }
//!     fn __samp_requirements() -> Vec<__samp::StateRequirement> {
//!         [<TableLoadVotable as FromMessage>::requirement(), ..].into_iter().flatten().collect()
//!     }
//!     __samp::inventory::submit! { __samp::Registration { mtype: __SAMP_MTYPE, .. } }
//! };
//! ```
//!
//! What each argument is (params, context, state) is decided by the traits, never by the
//! type's name; the macro adds only checks that read the syntax (a `self` receiver, a
//! reference argument, ...) and compile-time checks through traits, each spanned at the
//! user's code.
//!
//! [`Handler`]: https://docs.rs/samp-runtime/latest/samp_runtime/client/trait.Handler.html

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Expr, FnArg, GenericArgument, ItemFn, Lit, LitStr, Meta, PathArguments, ReturnType, Type,
};

use crate::args::{Args, Kind, parse_args};

/// The annotation key under which the doc comment's first line is declared.
pub(crate) const DESCRIPTION_KEY: &str = "x-samp.description";

/// The whole attribute: parses, checks, and expands. On error the function is emitted
/// unchanged beside the `compile_error!`s, so only the real problem is reported.
pub(crate) fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                format!(
                    "#[samp::{}] goes on a function: `async fn handler(params: T, ctx: Context)`",
                    kind.attr()
                ),
            );
            return with_error(item, err);
        }
    };
    let args = parse_args(kind, attr);
    let sig = analyse(kind, &func);
    match (args, sig) {
        (Ok(args), Ok(sig)) => match missing_mtype(kind, &args, &func, &sig) {
            Some(e) => with_error(func.into_token_stream(), e),
            None => {
                let generated = generate(kind, &args, &func, &sig);
                quote! { #func #generated }
            }
        },
        (Err(mut a), Err(b)) => {
            a.combine(b);
            with_error(func.into_token_stream(), a)
        }
        (Err(e), _) | (_, Err(e)) => with_error(func.into_token_stream(), e),
    }
}

fn with_error(item: TokenStream, err: syn::Error) -> TokenStream {
    let err = err.to_compile_error();
    quote! { #item #err }
}

/// What the signature says.
struct Sig {
    /// The argument types, in order.
    args: Vec<Type>,
    /// The declared return type (`()` when there is none), and where to point at it.
    ret: Type,
    ret_span: Span,
}

/// No MType in the attribute and no argument that could carry one.
fn missing_mtype(kind: Kind, args: &Args, func: &ItemFn, sig: &Sig) -> Option<syn::Error> {
    if args.mtype.is_some() || !sig.args.is_empty() {
        return None;
    }
    Some(syn::Error::new(
        func.sig.ident.span(),
        format!(
            "missing MType: this handler takes no params, so name the MType it handles, e.g. \
             #[samp::{}(\"{}\")]",
            kind.attr(),
            match kind {
                Kind::Notification => "coord.pointAt.sky",
                Kind::Call => "samp.app.ping",
            }
        ),
    ))
}

fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Paren(p) => is_unit(&p.elem),
        Type::Group(g) => is_unit(&g.elem),
        _ => false,
    }
}

/// A type that certainly does not serialize to a map, so cannot be a call's `samp.result`
/// (a syntactic early warning; the traits would only catch it at run time).
fn obviously_not_a_map(ty: &Type) -> bool {
    const SCALARS: &[&str] = &[
        "String", "str", "bool", "char", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16",
        "u32", "u64", "u128", "usize", "f32", "f64", "Vec", "VecDeque", "Option", "Value", "Cow",
    ];
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| SCALARS.iter().any(|n| s.ident == n)),
        Type::Reference(r) => obviously_not_a_map(&r.elem) || matches!(*r.elem, Type::Slice(_)),
        Type::Array(_) | Type::Slice(_) => true,
        Type::Tuple(t) => !t.elems.is_empty(),
        Type::Paren(p) => obviously_not_a_map(&p.elem),
        Type::Group(g) => obviously_not_a_map(&g.elem),
        _ => false,
    }
}

/// `T` of a return type written `Result<T, ..>`, for the early warning above.
fn ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(a) => match a.args.first() {
            Some(GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Checks what the syntax shows and collects the argument types.
fn analyse(kind: Kind, func: &ItemFn) -> syn::Result<Sig> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let s = &func.sig;
    if let Some(recv) = s.receiver() {
        push(syn::Error::new_spanned(
            recv,
            format!(
                "a SAMP handler cannot take `self`: #[samp::{}] goes on a free function; move \
                 it out of the `impl` block and take shared state as `samp::State<T>`, or \
                 register a closure at run time with `bind_*`",
                kind.attr()
            ),
        ));
    }
    if !s.generics.params.is_empty() {
        push(syn::Error::new_spanned(
            &s.generics,
            "a SAMP handler cannot be generic: give its arguments concrete types",
        ));
    }
    if let Some(w) = &s.generics.where_clause {
        push(syn::Error::new_spanned(
            w,
            "a SAMP handler cannot have a `where` clause: give its arguments concrete types",
        ));
    }
    if let Some(u) = &s.unsafety {
        push(syn::Error::new_spanned(
            u,
            "a SAMP handler cannot be `unsafe fn`: make it safe and put an `unsafe` block inside",
        ));
    }
    if let Some(v) = &s.variadic {
        push(syn::Error::new_spanned(
            v,
            "a SAMP handler cannot be variadic",
        ));
    }
    if s.inputs.len() > 8 {
        push(syn::Error::new_spanned(
            &s.inputs,
            "a SAMP handler takes at most 8 arguments",
        ));
    }

    let mut args = Vec::new();
    for arg in &s.inputs {
        let FnArg::Typed(pt) = arg else { continue };
        let ty = &*pt.ty;
        match ty {
            Type::Reference(r) => push(syn::Error::new_spanned(
                ty,
                format!(
                    "a SAMP handler's arguments are owned: write `{}` instead of a reference \
                     (a `Context` is cheap to clone)",
                    r.elem.to_token_stream()
                ),
            )),
            Type::ImplTrait(_) => push(syn::Error::new_spanned(
                ty,
                "a SAMP handler's arguments need concrete types, not `impl Trait`: a params \
                 struct with #[derive(serde::Deserialize)], a type from `samp::mtypes`, \
                 `samp::Map`, `samp::Context` or `samp::State<T>`",
            )),
            _ => args.push(ty.clone()),
        }
    }

    let (ret, ret_span) = match &s.output {
        ReturnType::Default => (syn::parse_quote!(()), s.ident.span()),
        ReturnType::Type(_, ty) => ((**ty).clone(), ty.span()),
    };
    if kind == Kind::Call {
        let checked = ok_type(&ret).unwrap_or(&ret);
        if !is_unit(checked) && obviously_not_a_map(checked) {
            push(syn::Error::new_spanned(
                checked,
                format!(
                    "a call's result is sent as the `samp.result` map, so `{}` cannot be \
                     returned as it is: return a struct with #[derive(serde::Serialize)] (its \
                     fields become the result keys) inside `Ok(..)` or `samp::client::Reply(..)`, \
                     a `samp::Map`, `()`, or a `samp::Response`",
                    checked.to_token_stream()
                ),
            ));
        }
    }

    match errors {
        Some(e) => Err(e),
        None => Ok(Sig {
            args,
            ret,
            ret_span,
        }),
    }
}

/// The first non-blank line of the doc comment, trimmed.
pub(crate) fn doc_first_line(func: &ItemFn) -> Option<String> {
    for attr in &func.attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        let Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let Expr::Lit(lit) = &nv.value else { continue };
        let Lit::Str(s) = &lit.lit else { continue };
        let text = s.value();
        if let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) {
            return Some(line.to_owned());
        }
    }
    None
}

/// The adapter's body: each argument built through `FromMessage` (spanned at its type, so
/// a type that cannot be an argument is reported there), the function called, its output
/// turned into the reply through `IntoResponse` (spanned at the return type). A plain `fn`
/// runs inside the adapter; an `async fn`'s future is boxed as `Send` (spanned at its name).
fn adapter_body(kind: Kind, func: &ItemFn, sig: &Sig) -> TokenStream {
    let ident = &func.sig.ident;
    let fn_span = ident.span();
    let names: Vec<_> = (0..sig.args.len())
        .map(|i| syn::Ident::new(&format!("__samp_a{i}"), Span::call_site()))
        .collect();
    let kinds = sig.args.iter().map(|ty| {
        let span = ty.span();
        quote_spanned!(span=> <#ty as __samp::FromMessage>::KIND)
    });
    let extract = sig.args.iter().zip(&names).map(|(ty, name)| {
        let span = ty.span();
        quote_spanned! {span=>
            let #name: #ty = match <#ty as __samp::FromMessage>::from_message(&mut __samp_parts) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(response) => return __samp::ready(response),
            };
        }
    });
    let ret = &sig.ret;
    let ret_span = sig.ret_span;
    // A notification's output is checked to be one that carries no reply.
    let reply = match kind {
        Kind::Call => quote_spanned! {ret_span=>
            <#ret as __samp::IntoResponse>::into_response(__samp_ret)
        },
        Kind::Notification => quote_spanned! {ret_span=>
            <#ret as __samp::NotificationOutput>::into_logged_response(__samp_ret)
        },
    };
    let run = if func.sig.asyncness.is_some() {
        quote_spanned! {fn_span=>
            ::std::boxed::Box::pin(async move {
                let __samp_ret: #ret = #ident(#(#names),*).await;
                #reply
            })
        }
    } else {
        quote_spanned! {fn_span=>
            let __samp_ret: #ret = #ident(#(#names),*);
            __samp::ready(#reply)
        }
    };
    quote! {
        #[allow(unused_mut)]
        let mut __samp_parts = __samp::parts(__samp_ctx, __samp_params, &[#(#kinds),*]);
        #(#extract)*
        #run
    }
}

fn generate(kind: Kind, args: &Args, func: &ItemFn, sig: &Sig) -> TokenStream {
    let krate = &args.krate;
    let ident = &func.sig.ident;
    let fn_span = ident.span();
    let kind_tokens = match kind {
        Kind::Notification => quote!(__samp::HandlerKind::Notification),
        Kind::Call => quote!(__samp::HandlerKind::Call),
    };

    // Annotations: the explicit ones, then the doc comment's first line unless given.
    let mut annotations: Vec<(LitStr, LitStr)> = args.annotations.clone();
    if !annotations
        .iter()
        .any(|(k, _)| k.value() == DESCRIPTION_KEY)
        && let Some(line) = doc_first_line(func)
    {
        annotations.push((
            LitStr::new(DESCRIPTION_KEY, Span::call_site()),
            LitStr::new(&line, Span::call_site()),
        ));
    }
    let annotation_tokens = annotations.iter().map(|(k, v)| quote!((#k, #v)));
    let group = match &args.group {
        Some(g) => quote!(::core::option::Option::Some(#g)),
        None => quote!(::core::option::Option::None),
    };
    let fn_name = LitStr::new(&ident.to_string(), fn_span);

    // The MType the argument types carry (first one that is a `MessageType`).
    let probes = sig.args.iter().map(|ty| {
        let span = ty.span();
        quote_spanned!(span=> <__samp::Probe<#ty>>::MTYPE)
    });
    let inferred = quote!(__samp::first_mtype(&[#(#probes),*]));
    let (mtype, agreement) = match &args.mtype {
        Some(lit) => {
            let span = lit.span();
            let check = quote_spanned! {span=>
                const _: () = __samp::check_mtype_agrees(#lit, #inferred);
            };
            (quote!(#lit), check)
        }
        None => {
            let mtype = quote_spanned! {fn_span=>
                match #inferred {
                    ::core::option::Option::Some(m) => m,
                    ::core::option::Option::None => ::core::panic!(
                        "this SAMP handler names no MType and none of its argument types carries one: write it in the attribute, #[samp::call(\"x.y\")], or take a params type from samp::mtypes"
                    ),
                }
            };
            (mtype, quote!())
        }
    };

    let body = adapter_body(kind, func, sig);
    let arity = sig.args.len();
    let requirements = sig.args.iter().map(|ty| {
        let span = ty.span();
        quote_spanned!(span=> <#ty as __samp::FromMessage>::requirement())
    });
    // Spanned at the function's name, `line!()` gives the line of the `fn`, not of the
    // attribute above it.
    let line = quote_spanned!(fn_span=> ::core::line!());

    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        const _: () = {
            use #krate::__private as __samp;
            #[allow(unused_imports)]
            use __samp::ProbeFallback as _;

            const __SAMP_MTYPE: &str = #mtype;
            #agreement

            fn __samp_adapter(
                __samp_ctx: __samp::Context,
                __samp_params: __samp::Map,
            ) -> __samp::HandlerFuture {
                #body
            }

            fn __samp_requirements() -> ::std::vec::Vec<__samp::StateRequirement> {
                let __samp_all: [::core::option::Option<__samp::StateRequirement>; #arity] =
                    [#(#requirements),*];
                __samp_all.into_iter().flatten().collect()
            }

            __samp::inventory::submit! {
                __samp::Registration {
                    mtype: __SAMP_MTYPE,
                    kind: #kind_tokens,
                    handler: __samp_adapter,
                    requirements: __samp_requirements,
                    annotations: &[#(#annotation_tokens),*],
                    group: #group,
                    fn_name: #fn_name,
                    module_path: ::core::module_path!(),
                    file: ::core::file!(),
                    line: #line,
                }
            }
        };
    }
}

#[cfg(test)]
mod tests;
