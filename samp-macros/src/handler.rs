//! Expansion of `#[samp::notification]` and `#[samp::call]`.
//!
//! For
//!
//! ```text
//! /// Load a table.
//! #[samp::call("table.load.votable")]
//! async fn load(table: Load, ctx: Context) -> Result<(), E> { ... }
//! ```
//!
//! the output is the function unchanged, followed by
//!
//! ```text
//! const _: () = {
//!     use ::samp::__private as __samp;
//!     fn __samp_adapter(ctx: __samp::Context, params: __samp::Map) -> __samp::HandlerFuture {
//!         let p0 = match __samp::decode_params::<Load>(&ctx, params) {   // spanned at `Load`
//!             Ok(p) => p,
//!             Err(response) => return __samp::ready(response),
//!         };
//!         Box::pin(async move {
//!             let ret: Result<(), E> = load(p0, ctx).await;
//!             match ret { Ok(v) => <() as response>, Err(e) => Response::error(<e as ErrInfo>) }
//!         })
//!     }
//!     __samp::inventory::submit! { __samp::Registration { mtype: "table.load.votable", ... } }
//! };
//! ```

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
        (Ok(args), Ok(sig)) => {
            let generated = generate(kind, &args, &func, &sig);
            quote! { #func #generated }
        }
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

/// How the function's return value becomes a response.
#[derive(Debug)]
enum Ret {
    /// `()` or no return type: `samp.ok` with an empty result.
    Unit,
    /// `Response` (any path ending in `Response`): sent as it is.
    Response(Type),
    /// `Result<T, E>` (any path ending in `Result`): `Ok` as `T`, `Err` as `samp.error`.
    /// Holds `E` when it is written out (not for aliases such as `samp::Result<T>`).
    Result(Box<Ret>, Option<Type>),
    /// Anything else: serialized into `samp.result`.
    Value(Type),
}

/// What the signature says.
struct Sig {
    /// Position and type of the params argument.
    params: Option<(usize, Type)>,
    /// Position of the `Context` argument.
    context: Option<usize>,
    /// Number of arguments.
    arity: usize,
    ret: Ret,
    /// Span of the return type (or of the signature when there is none).
    ret_span: Span,
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().is_some_and(|s| s.ident == name)
        }
        Type::Group(g) => last_segment_is(&g.elem, name),
        Type::Paren(p) => last_segment_is(&p.elem, name),
        _ => false,
    }
}

fn is_unit(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Paren(p) => is_unit(&p.elem),
        Type::Group(g) => is_unit(&g.elem),
        _ => false,
    }
}

fn classify(ty: &Type) -> Ret {
    if is_unit(ty) {
        return Ret::Unit;
    }
    if let Type::Path(p) = ty
        && p.qself.is_none()
        && let Some(last) = p.path.segments.last()
    {
        if last.ident == "Response" && last.arguments.is_none() {
            return Ret::Response(ty.clone());
        }
        if last.ident == "Result"
            && let PathArguments::AngleBracketed(args) = &last.arguments
            && let Some(GenericArgument::Type(ok)) = args.args.first()
        {
            let err = match args.args.iter().nth(1) {
                Some(GenericArgument::Type(e)) => Some(e.clone()),
                _ => None,
            };
            return Ret::Result(Box::new(classify(ok)), err);
        }
    }
    Ret::Value(ty.clone())
}

/// A type that certainly does not serialize to a map, so cannot be a call's `samp.result`.
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

/// Checks the signature and finds the params and `Context` arguments.
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
                 it out of the `impl` block and reach shared state through a `static` or \
                 `ctx.client()`, or register a closure at run time with `bind_*`",
                kind.attr()
            ),
        ));
    }
    if !s.generics.params.is_empty() {
        push(syn::Error::new_spanned(
            &s.generics,
            "a SAMP handler cannot be generic: give the params argument a concrete type",
        ));
    }
    if let Some(w) = &s.generics.where_clause {
        push(syn::Error::new_spanned(
            w,
            "a SAMP handler cannot have a `where` clause: give the params argument a concrete type",
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

    let mut params: Option<(usize, Type)> = None;
    let mut context: Option<usize> = None;
    for (i, arg) in s.inputs.iter().enumerate() {
        let FnArg::Typed(pt) = arg else { continue };
        let ty = &*pt.ty;
        if last_segment_is(ty, "Context") {
            if context.is_some() {
                push(syn::Error::new_spanned(
                    ty,
                    "a SAMP handler takes at most one `Context` argument",
                ));
            }
            context = Some(i);
            continue;
        }
        if let Type::Reference(r) = ty {
            if last_segment_is(&r.elem, "Context") {
                push(syn::Error::new_spanned(
                    ty,
                    "take the `Context` by value: write `ctx: Context` (it is cheap to clone)",
                ));
                context = Some(i);
            } else {
                push(syn::Error::new_spanned(
                    ty,
                    format!(
                        "the params argument must own its data: write `{}` instead of a reference",
                        r.elem.to_token_stream()
                    ),
                ));
            }
            continue;
        }
        if let Type::ImplTrait(_) = ty {
            push(syn::Error::new_spanned(
                ty,
                "a SAMP handler's params need a concrete type, not `impl Trait`: use a struct \
                 with #[derive(serde::Deserialize)], or `samp::Map` for the raw map",
            ));
            continue;
        }
        if params.is_some() {
            push(syn::Error::new_spanned(
                ty,
                "a SAMP handler takes at most one params argument (plus an optional `Context`): \
                 gather the parameters into one struct with #[derive(serde::Deserialize)], one \
                 field per `samp.params` key",
            ));
            continue;
        }
        params = Some((i, ty.clone()));
    }

    let (ret, ret_span) = match &s.output {
        ReturnType::Default => (Ret::Unit, s.ident.span()),
        ReturnType::Type(_, ty) => (classify(ty), ty.span()),
    };
    let mut check_ret = |r: &Ret| match (kind, r) {
        (Kind::Notification, Ret::Unit) => {}
        (Kind::Notification, Ret::Result(ok, _)) if matches!(**ok, Ret::Unit) => {}
        (Kind::Notification, _) => push(syn::Error::new(
            ret_span,
            "a notification has no reply, so its handler returns `()` or `Result<(), E>` \
             (an error is logged); use #[samp::call] to send a result back",
        )),
        (Kind::Call, Ret::Value(ty)) if obviously_not_a_map(ty) => push(syn::Error::new_spanned(
            ty,
            format!(
                "a call's result is sent as the `samp.result` map, so `{}` cannot be returned \
                 as it is: return a struct with #[derive(serde::Serialize)] (its fields become \
                 the result keys), a `samp::Map`, `()`, `Result<T, E>` of those, or a \
                 `samp::Response`",
                ty.to_token_stream()
            ),
        )),
        (Kind::Call, _) => {}
    };
    check_ret(&ret);
    if let (Kind::Call, Ret::Result(ok, _)) = (kind, &ret) {
        check_ret(ok);
    }

    match errors {
        Some(e) => Err(e),
        None => Ok(Sig {
            params,
            context,
            arity: s.inputs.len(),
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

/// The conversion of `value` (of the classified type) into a `Response` expression.
fn response_expr(kind: Kind, ret: &Ret, value: TokenStream, span: Span) -> TokenStream {
    match ret {
        Ret::Unit => quote_spanned! {span=> {
            let () = #value;
            __samp::Response::ok_empty()
        }},
        Ret::Response(ty) => quote_spanned! {span=> {
            let __samp_response: #ty = #value;
            __samp::into_response(__samp_response)
        }},
        // `to_value` is called here, in the user's crate, so a type that is not `Serialize`
        // is reported at the return type.
        Ret::Value(ty) => {
            let span = ty.span();
            quote_spanned! {span=> {
                let __samp_value = &#value;
                __samp::result_response(__samp::to_value(__samp_value))
            }}
        }
        Ret::Result(ok, err) => {
            let ok_expr = response_expr(kind, ok, quote!(__samp_ok), span);
            // A type that is neither `Into<ErrInfo>` nor `Display` is reported at `E`.
            let span = err.as_ref().map_or(span, Spanned::span);
            let err_expr = match kind {
                Kind::Call => quote_spanned! {span=>
                    __samp::Response::error(__samp::ErrProbe(__samp_err).samp_err_info())
                },
                Kind::Notification => quote_spanned! {span=>
                    __samp::notification_error(__samp::ErrProbe(__samp_err).samp_err_info())
                },
            };
            quote_spanned! {span=>
                match #value {
                    ::core::result::Result::Ok(__samp_ok) => #ok_expr,
                    ::core::result::Result::Err(__samp_err) => #err_expr,
                }
            }
        }
    }
}

fn generate(kind: Kind, args: &Args, func: &ItemFn, sig: &Sig) -> TokenStream {
    let krate = &args.krate;
    let ident = &func.sig.ident;
    let mtype = &args.mtype;
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
    let fn_name = LitStr::new(&ident.to_string(), ident.span());

    // Params: decoded before `ctx` moves. The call is spanned at the user's type, so a
    // type that is not `DeserializeOwned` is reported there (axum's `debug_handler` trick).
    let decode = match &sig.params {
        Some((_, ty)) => {
            let span = ty.span();
            quote_spanned! {span=>
                let __samp_p: #ty = match __samp::decode_params::<#ty>(&__samp_ctx, __samp_params) {
                    ::core::result::Result::Ok(p) => p,
                    ::core::result::Result::Err(r) => return __samp::ready(r),
                };
            }
        }
        None => quote!(let _ = __samp_params;),
    };
    let call_args = (0..sig.arity).map(|i| {
        if Some(i) == sig.context {
            quote!(__samp_ctx)
        } else {
            quote!(__samp_p)
        }
    });
    let ctx_unused = if sig.context.is_none() {
        quote!(let _ = __samp_ctx;)
    } else {
        quote!()
    };
    let await_tokens = if func.sig.asyncness.is_some() {
        quote!(.await)
    } else {
        quote!()
    };
    let ret_ty = match &func.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let convert = response_expr(kind, &sig.ret, quote!(__samp_ret), sig.ret_span);
    let fn_span = ident.span();
    let boxed = quote_spanned! {fn_span=>
        ::std::boxed::Box::pin(async move {
            #ctx_unused
            let __samp_ret: #ret_ty = #ident(#(#call_args),*) #await_tokens;
            #convert
        })
    };

    // Spanned at the function's name, `line!()` gives the line of the `fn`, not of the
    // attribute above it.
    let line = quote_spanned!(fn_span=> ::core::line!());

    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        const _: () = {
            use #krate::__private as __samp;
            #[allow(unused_imports)]
            use __samp::{ViaDisplay as _, ViaErrInfo as _};

            fn __samp_adapter(
                __samp_ctx: __samp::Context,
                __samp_params: __samp::Map,
            ) -> __samp::HandlerFuture {
                #decode
                #boxed
            }

            __samp::inventory::submit! {
                __samp::Registration {
                    mtype: #mtype,
                    kind: #kind_tokens,
                    handler: __samp_adapter,
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
mod tests {
    use super::*;

    fn expand_str(kind: Kind, attr: &str, item: &str) -> String {
        expand(kind, attr.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    fn error_of(kind: Kind, attr: &str, item: &str) -> String {
        let out = expand_str(kind, attr, item);
        assert!(out.contains("compile_error"), "no error in {out}");
        out
    }

    #[test]
    fn call_with_params_and_context() {
        let out = expand_str(
            Kind::Call,
            r#""table.load.votable""#,
            "/// Load a table.\n/// More text.\nasync fn load(t: Load, ctx: Context) -> Result<(), E> { Ok(()) }",
        );
        assert!(out.starts_with("# [doc = \" Load a table.\"]"), "{out}");
        assert!(out.contains("async fn load (t : Load , ctx : Context)"));
        assert!(out.contains("use :: samp :: __private as __samp"));
        assert!(out.contains("__samp :: decode_params :: < Load > (& __samp_ctx , __samp_params)"));
        assert!(out.contains("load (__samp_p , __samp_ctx) . await"));
        assert!(out.contains("mtype : \"table.load.votable\""));
        assert!(out.contains("kind : __samp :: HandlerKind :: Call"));
        assert!(out.contains(r#"annotations : & [("x-samp.description" , "Load a table.")]"#));
        assert!(out.contains("fn_name : \"load\""));
        assert!(out.contains("ErrProbe (__samp_err) . samp_err_info ()"));
        assert!(!out.contains("compile_error"));
        // Decoding happens before the context moves into the future.
        let decode = out.find("decode_params").unwrap();
        let future = out.find("async move").unwrap();
        assert!(decode < future);
    }

    #[test]
    fn context_first_and_sync_fn() {
        let out = expand_str(
            Kind::Notification,
            r#""coord.pointAt.sky""#,
            "fn point(ctx: samp::Context, at: PointAt) {}",
        );
        assert!(out.contains("point (__samp_ctx , __samp_p) ;"), "{out}");
        assert!(!out.contains(". await"));
        assert!(out.contains("HandlerKind :: Notification"));
        assert!(out.contains("annotations : & []"));
    }

    #[test]
    fn no_arguments() {
        let out = expand_str(Kind::Call, r#""samp.app.ping""#, "async fn ping() {}");
        assert!(out.contains("let _ = __samp_params ;"), "{out}");
        assert!(out.contains("let _ = __samp_ctx ;"));
        assert!(out.contains("ping () . await"));
        assert!(out.contains("Response :: ok_empty ()"));
        assert!(!out.contains("decode_params"));
    }

    #[test]
    fn annotations_group_and_crate() {
        let out = expand_str(
            Kind::Call,
            r#""table.*", annotations("x-samp.mostly-harmless" = "1", "n" = 2, "b" = false), group = "viewer", crate = "my::samp""#,
            "/// Doc.\nfn f() {}",
        );
        assert!(
            out.contains("use my :: samp :: __private as __samp"),
            "{out}"
        );
        assert!(out.contains(
            r#"annotations : & [("x-samp.mostly-harmless" , "1") , ("n" , "2") , ("b" , "0") , ("x-samp.description" , "Doc.")]"#
        ));
        assert!(out.contains("group : :: core :: option :: Option :: Some (\"viewer\")"));
    }

    #[test]
    fn explicit_description_wins() {
        let out = expand_str(
            Kind::Call,
            r#""a.b", annotations("x-samp.description" = "mine")"#,
            "/// Doc.\nfn f() {}",
        );
        assert!(out.contains(r#"annotations : & [("x-samp.description" , "mine")]"#));
    }

    #[test]
    fn return_kinds() {
        let value = expand_str(Kind::Call, r#""a.b""#, "fn f() -> Out { todo!() }");
        assert!(
            value.contains("let __samp_value = & __samp_ret ; __samp :: result_response (__samp :: to_value (__samp_value))"),
            "{value}"
        );
        let resp = expand_str(
            Kind::Call,
            r#""a.b""#,
            "fn f() -> samp::Response { todo!() }",
        );
        assert!(resp.contains("let __samp_response : samp :: Response = __samp_ret"));
        let res = expand_str(
            Kind::Call,
            r#""a.b""#,
            "fn f() -> samp::Result<Out> { todo!() }",
        );
        assert!(res.contains("Ok (__samp_ok) => { let __samp_value = & __samp_ok ;"));
        let note = expand_str(
            Kind::Notification,
            r#""a.b""#,
            "fn f() -> Result<(), String> { todo!() }",
        );
        assert!(note.contains("__samp :: notification_error"), "{note}");
    }

    #[test]
    fn errors() {
        let cases: &[(Kind, &str, &str, &str)] = &[
            (Kind::Call, "", "fn f() {}", "missing MType"),
            (Kind::Call, "42", "fn f() {}", "MType as a string literal"),
            (
                Kind::Call,
                "table.load",
                "fn f() {}",
                "MType as a string literal",
            ),
            (
                Kind::Call,
                r#""a..b""#,
                "fn f() {}",
                "empty atom at position 2",
            ),
            (Kind::Call, r#""a.*.b""#, "fn f() {}", "misplaced wildcard"),
            (
                Kind::Call,
                r#""a", foo = 1"#,
                "fn f() {}",
                "unknown argument `foo`",
            ),
            (
                Kind::Call,
                r#""a", group = "g", group = "h""#,
                "fn f() {}",
                "given twice",
            ),
            (
                Kind::Call,
                r#""a", annotations("k" = "1", "k" = "2")"#,
                "fn f() {}",
                "annotation \\\"k\\\" given twice",
            ),
            (Kind::Call, r#""a""#, "fn f(&self) {}", "cannot take `self`"),
            (
                Kind::Call,
                r#""a""#,
                "fn f<T>(t: T) {}",
                "cannot be generic",
            ),
            (
                Kind::Call,
                r#""a""#,
                "fn f(a: A, b: B) {}",
                "at most one params argument",
            ),
            (Kind::Call, r#""a""#, "fn f(c: &Context) {}", "by value"),
            (Kind::Call, r#""a""#, "fn f(a: &A) {}", "must own its data"),
            (
                Kind::Call,
                r#""a""#,
                "fn f() -> String { todo!() }",
                "samp.result",
            ),
            (
                Kind::Call,
                r#""a""#,
                "fn f() -> Result<Vec<u8>, E> { todo!() }",
                "samp.result",
            ),
            (
                Kind::Notification,
                r#""a""#,
                "fn f() -> Out { todo!() }",
                "no reply",
            ),
            (Kind::Call, r#""a""#, "struct S;", "goes on a function"),
        ];
        for (kind, attr, item, want) in cases {
            let out = error_of(*kind, attr, item);
            assert!(out.contains(want), "{attr} / {item}: {out}");
        }
    }

    #[test]
    fn errors_keep_the_function() {
        let out = error_of(Kind::Call, r#""a..b""#, "fn keep_me() {}");
        assert!(out.contains("fn keep_me"), "{out}");
        assert!(!out.contains("inventory"));
    }

    #[test]
    fn several_errors_are_reported_together() {
        let out = error_of(Kind::Call, "7", "fn f(&self) {}");
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
    }
}
