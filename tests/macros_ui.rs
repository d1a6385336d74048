//! trybuild suites for `#[samp::notification]`, `#[samp::call]` and `samp::metadata!()`:
//! `tests/ui/pass` must compile (and run), `tests/ui/fail` must fail with the messages in
//! the `.stderr` files beside them. Regenerate those with `TRYBUILD=overwrite` and read
//! every one: each error must point at the user's own tokens and say what to write.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
