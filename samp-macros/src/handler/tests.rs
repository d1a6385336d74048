//! What the attributes expand to, and the errors they give.

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
fn call_with_an_explicit_mtype() {
    let out = expand_str(
        Kind::Call,
        r#""table.load.votable""#,
        "/// Load a table.\n/// More text.\nasync fn load(t: Load, ctx: Context) -> Result<(), E> { Ok(()) }",
    );
    assert!(out.starts_with("# [doc = \" Load a table.\"]"), "{out}");
    assert!(out.contains("async fn load (t : Load , ctx : Context)"));
    assert!(out.contains("use :: samp :: __private as __samp"));
    assert!(out.contains("const __SAMP_MTYPE : & str = \"table.load.votable\""));
    assert!(out.contains(
        "__samp :: check_mtype_agrees (\"table.load.votable\" , __samp :: first_mtype (& [< __samp :: Probe < Load >> :: MTYPE , < __samp :: Probe < Context >> :: MTYPE]))"
    ), "{out}");
    assert!(out.contains("__samp :: parts (__samp_ctx , __samp_params , & [< Load as __samp :: FromMessage > :: KIND , < Context as __samp :: FromMessage > :: KIND])"), "{out}");
    assert!(out.contains("let __samp_a0 : Load = match < Load as __samp :: FromMessage > :: from_message (& mut __samp_parts)"));
    assert!(
        out.contains("let __samp_ret : Result < () , E > = load (__samp_a0 , __samp_a1) . await")
    );
    assert!(
        out.contains(
            "< Result < () , E > as __samp :: IntoResponse > :: into_response (__samp_ret)"
        )
    );
    assert!(out.contains("< Load as __samp :: FromMessage > :: requirement ()"));
    assert!(out.contains("kind : __samp :: HandlerKind :: Call"));
    assert!(out.contains(r#"annotations : & [("x-samp.description" , "Load a table.")]"#));
    assert!(out.contains("fn_name : \"load\""));
    assert!(!out.contains("NotificationOutput"));
    assert!(!out.contains("compile_error"));
}

#[test]
fn the_mtype_can_come_from_the_params_type() {
    let out = expand_str(
        Kind::Notification,
        "",
        "async fn point(at: CoordPointAtSky, ctx: Context) {}",
    );
    assert!(out.contains("match __samp :: first_mtype"), "{out}");
    assert!(out.contains("Some (m) => m"));
    assert!(
        out.contains("< () as __samp :: NotificationOutput > :: into_logged_response (__samp_ret)"),
        "{out}"
    );
    let out = expand_str(
        Kind::Call,
        r#"group = "viewer""#,
        "async fn load(t: TableLoadVotable) {}",
    );
    assert!(out.contains("first_mtype"), "{out}");
    assert!(out.contains("Some (\"viewer\")"));
}

#[test]
fn plain_fns_are_wrapped_in_a_ready_future() {
    let out = expand_str(
        Kind::Notification,
        r#""coord.pointAt.sky""#,
        "fn point(ctx: samp::Context, at: PointAt) {}",
    );
    assert!(
        out.contains("let __samp_ret : () = point (__samp_a0 , __samp_a1) ;"),
        "{out}"
    );
    assert!(out.contains("__samp :: ready (< () as __samp :: NotificationOutput > :: into_logged_response (__samp_ret))"));
    assert!(out.contains("HandlerKind :: Notification"));
    assert!(out.contains("annotations : & []"));
}

#[test]
fn no_arguments() {
    let out = expand_str(Kind::Call, r#""samp.app.ping""#, "async fn ping() {}");
    assert!(out.contains("ping () . await"), "{out}");
    assert!(out.contains("first_mtype (& [])"));
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
fn errors() {
    let cases: &[(Kind, &str, &str, &str)] = &[
        (Kind::Call, "", "fn f() {}", "missing MType"),
        (Kind::Call, "42", "fn f() {}", "MType as a string literal"),
        (Kind::Call, "table.load", "fn f() {}", "goes in quotes"),
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
        (Kind::Call, r#""a""#, "fn f(c: &Context) {}", "are owned"),
        (Kind::Call, r#""a""#, "fn f(a: &A) {}", "are owned"),
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
