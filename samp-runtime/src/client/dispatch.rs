//! The dispatch table: MType pattern → handler, for notifications and for calls, holding
//! both the static registrations and the run-time bindings.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tracing::info;

use super::context::Context;
use super::handler::HandlerFuture;
use super::registry::{HandlerKind, Registration};
use samp_protocol::Map;
use samp_protocol::names::mtype;
use samp_protocol::{ErrInfo, MTypePattern, Response, Subscriptions};

/// A type-erased handler, static or bound at run time.
pub(crate) type ErasedFn = Arc<dyn Fn(Context, Map) -> HandlerFuture + Send + Sync>;

/// MTypes every callable client subscribes to: the client answers ping itself, routes the
/// progress of its calls, and needs to know when the hub goes away.
pub(crate) const IMPLICIT_SUBSCRIPTIONS: [&str; 4] = [
    mtype::APP_PING,
    mtype::MSG_PROGRESS,
    mtype::HUB_EVENT_SHUTDOWN,
    mtype::HUB_DISCONNECT,
];

/// Where a handler came from.
#[derive(Clone, Copy)]
pub(crate) enum Origin {
    Static(&'static Registration),
    Runtime,
}

/// One handler for one pattern.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) pattern: MTypePattern,
    pub(crate) handler: ErasedFn,
    pub(crate) annotations: Map,
    pub(crate) origin: Origin,
}

/// Handlers by kind and pattern text.
#[derive(Default)]
pub(crate) struct DispatchTable {
    notifications: BTreeMap<String, Entry>,
    calls: BTreeMap<String, Entry>,
}

impl DispatchTable {
    fn side(&self, kind: HandlerKind) -> &BTreeMap<String, Entry> {
        match kind {
            HandlerKind::Notification => &self.notifications,
            HandlerKind::Call => &self.calls,
        }
    }

    fn side_mut(&mut self, kind: HandlerKind) -> &mut BTreeMap<String, Entry> {
        match kind {
            HandlerKind::Notification => &mut self.notifications,
            HandlerKind::Call => &mut self.calls,
        }
    }

    /// Adds `entry`, replacing any handler of that kind for the same pattern.
    pub(crate) fn insert(&mut self, kind: HandlerKind, entry: Entry) {
        let pattern = entry.pattern.as_str().to_owned();
        if let Some(old) = self.side_mut(kind).insert(pattern.clone(), entry)
            && let Origin::Static(reg) = old.origin
        {
            info!(
                mtype = %pattern,
                kind = kind.as_str(),
                replaced = %reg.location(),
                "run-time binding replaces the static handler"
            );
        }
    }

    /// Removes the handler of `kind` for exactly `pattern`; whether there was one.
    pub(crate) fn remove(&mut self, kind: HandlerKind, pattern: &str) -> bool {
        self.side_mut(kind).remove(pattern).is_some()
    }

    /// The handler of `kind` whose pattern matches `mtype` most specifically.
    pub(crate) fn find(&self, kind: HandlerKind, mtype: &str) -> Option<&Entry> {
        let side = self.side(kind);
        // An exact pattern always outranks every wildcard that matches.
        side.get(mtype).or_else(|| {
            side.values()
                .filter(|e| e.pattern.matches(mtype))
                .max_by_key(|e| e.pattern.specificity())
        })
    }

    /// Whether an application handler of `kind` is bound to exactly `pattern`.
    pub(crate) fn has_exact(&self, kind: HandlerKind, pattern: &str) -> bool {
        self.side(kind).contains_key(pattern)
    }

    /// The subscriptions the table implies (every bound pattern, as sampy declares them),
    /// merged with `extra` and the implicit ones. Annotations of a pattern bound for both
    /// kinds are merged.
    pub(crate) fn subscriptions(&self, extra: &Subscriptions) -> Subscriptions {
        let mut subs = Subscriptions::new();
        for p in IMPLICIT_SUBSCRIPTIONS {
            if let Ok(p) = MTypePattern::parse(p) {
                subs.insert(p, Map::new());
            }
        }
        for entry in self.notifications.values().chain(self.calls.values()) {
            let mut annotations = subs.remove(entry.pattern.as_str()).unwrap_or_default();
            annotations.extend(entry.annotations.clone());
            subs.insert(entry.pattern.clone(), annotations);
        }
        for (pattern, annotations) in extra.iter() {
            let mut merged = subs.remove(pattern.as_str()).unwrap_or_default();
            merged.extend(annotations.clone());
            subs.insert(pattern.clone(), merged);
        }
        subs
    }
}

/// Runs a handler to completion, turning a panic into a `samp.error` response.
pub(crate) async fn run_handler(handler: ErasedFn, ctx: Context, params: Map) -> Response {
    let mtype = ctx.mtype().to_owned();
    let fut = AssertUnwindSafe(async move { handler(ctx, params).await });
    match fut.catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-text panic payload".to_owned());
            tracing::error!(%mtype, panic = %what, "handler panicked");
            Response::error(ErrInfo::new(format!("{mtype}: the handler failed: {what}")))
        }
    }
}

/// Turns a static registration into a table entry.
pub(crate) fn static_entry(reg: &'static Registration) -> Result<Entry, String> {
    let pattern = MTypePattern::parse(reg.mtype).map_err(|e| format!("{}: {e}", reg.location()))?;
    let erased = reg.handler;
    Ok(Entry {
        pattern,
        handler: Arc::new(move |ctx, params| erased(ctx, params)),
        annotations: reg
            .annotations
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).into()))
            .collect(),
        origin: Origin::Static(reg),
    })
}

/// Builds the table from the chosen registrations; two of one kind for one pattern is an
/// error naming both.
pub(crate) fn table_from(regs: &[&'static Registration]) -> Result<DispatchTable, String> {
    let mut table = DispatchTable::default();
    for reg in regs {
        let entry = static_entry(reg)?;
        if let Some(Entry {
            origin: Origin::Static(other),
            ..
        }) = table.side(reg.kind).get(reg.mtype)
        {
            return Err(format!(
                "two {} handlers for `{}`: {} in {} and {} in {}; remove one, or choose a set with handler_group() or handlers_in_module()",
                reg.kind.as_str(),
                reg.mtype,
                other.location(),
                other.module_path,
                reg.location(),
                reg.module_path,
            ));
        }
        table.side_mut(reg.kind).insert(reg.mtype.to_owned(), entry);
    }
    Ok(table)
}
