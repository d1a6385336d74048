//! Binding handlers at run time (sampy's `bind_receive_*` / `unbind_*`).
//!
//! `bind_*` returns a [`Bind`] to adjust (`declare`, annotations) and then `.await`; the
//! await updates the dispatch table and, when asked, re-declares the subscriptions.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use super::Client;
use super::dispatch::{Entry, ErasedFn, Origin};
use super::handler::{Handler, StateRequirement};
use super::registry::HandlerKind;
use super::routing::{Route, lock};
use crate::error::{Error, Result};
use samp_protocol::{ClientId, MTypePattern, MsgTag, Response};
use samp_protocol::{Map, Value};

/// A pending binding: set options, then `.await` it.
///
/// ```no_run
/// # async fn demo(client: samp_runtime::Client) -> samp_runtime::Result<()> {
/// use samp_runtime::{Context, Map};
/// client
///     .bind_notification("table.load.*", |ctx: Context, params: Map| async move {
///         println!("{} from {}: {params:?}", ctx.mtype(), ctx.sender());
///     })
///     .annotation("x-samp.mostly-harmless", "1")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a binding does nothing until it is awaited"]
pub struct Bind<'a> {
    client: &'a Client,
    what: &'static str,
    pattern: String,
    kinds: &'static [HandlerKind],
    handler: ErasedFn,
    requirements: Vec<StateRequirement>,
    declare: bool,
    annotations: Map,
}

impl Bind<'_> {
    /// Whether to re-declare the subscriptions with the hub now (default `true`). With
    /// `false` the hub hears of the new subscription at the next declaration, e.g. a
    /// [`declare_subscriptions`](Client::declare_subscriptions) after several bindings
    /// (sampy's `declare=False`).
    pub fn declare(mut self, declare: bool) -> Self {
        self.declare = declare;
        self
    }

    /// Adds one entry to the subscription's annotation map.
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.annotations.insert(key.into(), value.into());
        self
    }

    /// Sets the whole annotation map (sampy's `metadata` argument of `bind_*`).
    pub fn annotations(mut self, annotations: Map) -> Self {
        self.annotations = annotations;
        self
    }

    async fn apply(self) -> Result<()> {
        if !self.client.is_callable() {
            return Err(Error::NotCallable { what: self.what });
        }
        let pattern = MTypePattern::parse(&self.pattern)
            .map_err(|e| Error::Config(format!("{}: {e}", self.what)))?;
        self.client.check_state(&self.requirements, || {
            format!("the handler bound with {}({:?})", self.what, self.pattern)
        })?;
        {
            let mut table = self.client.write_table();
            for kind in self.kinds {
                table.insert(
                    *kind,
                    Entry {
                        pattern: pattern.clone(),
                        handler: self.handler.clone(),
                        annotations: self.annotations.clone(),
                        origin: Origin::Runtime,
                    },
                );
            }
        }
        if self.declare {
            self.client.redeclare_subscriptions().await?;
        }
        Ok(())
    }
}

impl<'a> IntoFuture for Bind<'a> {
    type Output = Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.apply())
    }
}

/// A pending unbinding: optionally `.declare(false)`, then `.await` it; yields whether a
/// handler was bound to exactly that pattern.
#[must_use = "an unbinding does nothing until it is awaited"]
pub struct Unbind<'a> {
    client: &'a Client,
    pattern: String,
    kind: HandlerKind,
    declare: bool,
}

impl Unbind<'_> {
    /// Whether to re-declare the subscriptions with the hub (default `true`).
    pub fn declare(mut self, declare: bool) -> Self {
        self.declare = declare;
        self
    }

    async fn apply(self) -> Result<bool> {
        let removed = self.client.write_table().remove(self.kind, &self.pattern);
        if removed && self.declare {
            self.client.redeclare_subscriptions().await?;
        }
        Ok(removed)
    }
}

impl<'a> IntoFuture for Unbind<'a> {
    type Output = Result<bool>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<bool>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.apply())
    }
}

/// Erases a handler into the dispatch table's form.
fn erase<H: Handler<Args>, Args>(handler: H) -> ErasedFn {
    Arc::new(move |ctx, params| handler.call(ctx, params))
}

impl Client {
    pub(crate) fn write_table(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, super::dispatch::DispatchTable> {
        self.inner
            .dispatch
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn bind<H: Handler<Args>, Args>(
        &self,
        what: &'static str,
        pattern: String,
        kinds: &'static [HandlerKind],
        handler: H,
    ) -> Bind<'_> {
        Bind {
            client: self,
            what,
            pattern,
            kinds,
            requirements: H::requirements(),
            handler: erase(handler),
            declare: true,
            annotations: Map::new(),
        }
    }

    /// Handles notifications of `pattern` (an MType or a wildcard like `table.*`) with
    /// `handler`, replacing any notification handler for the same pattern.
    ///
    /// The handler is an async closure or function taking, in any order, the params (any
    /// `Deserialize` type, a type from `samp::mtypes`, or a [`Map`]), a
    /// [`Context`](super::Context) and [`State<T>`](super::State) values — the same as an
    /// attribute handler. A state type the client was not given is an error here.
    pub fn bind_notification<H: Handler<Args>, Args>(
        &self,
        pattern: impl Into<String>,
        handler: H,
    ) -> Bind<'_> {
        const KINDS: &[HandlerKind] = &[HandlerKind::Notification];
        self.bind("bind_notification", pattern.into(), KINDS, handler)
    }

    /// Handles calls of `pattern` with `handler`; its return value is the reply
    /// ([`IntoResponse`](super::IntoResponse): `()`, a result [`Map`], `Result<T, E>`, a
    /// [`Response`], …). Arguments as for [`bind_notification`](Self::bind_notification).
    pub fn bind_call<H: Handler<Args>, Args>(
        &self,
        pattern: impl Into<String>,
        handler: H,
    ) -> Bind<'_> {
        const KINDS: &[HandlerKind] = &[HandlerKind::Call];
        self.bind("bind_call", pattern.into(), KINDS, handler)
    }

    /// Handles both notifications and calls of `pattern` with one handler
    /// ([`Context::is_call`](super::Context::is_call) tells them apart).
    pub fn bind_message<H: Handler<Args>, Args>(
        &self,
        pattern: impl Into<String>,
        handler: H,
    ) -> Bind<'_> {
        const KINDS: &[HandlerKind] = &[HandlerKind::Notification, HandlerKind::Call];
        self.bind("bind_message", pattern.into(), KINDS, handler)
    }

    /// Removes the notification handler bound to exactly `pattern`.
    pub fn unbind_notification(&self, pattern: impl Into<String>) -> Unbind<'_> {
        Unbind {
            client: self,
            pattern: pattern.into(),
            kind: HandlerKind::Notification,
            declare: true,
        }
    }

    /// Removes the call handler bound to exactly `pattern`.
    pub fn unbind_call(&self, pattern: impl Into<String>) -> Unbind<'_> {
        Unbind {
            client: self,
            pattern: pattern.into(),
            kind: HandlerKind::Call,
            declare: true,
        }
    }

    /// Routes responses carrying `tag` (from [`call_with_tag`](Self::call_with_tag) or
    /// [`call_all_with_tag`](Self::call_all_with_tag)) to `handler`, until
    /// [`unbind_response`](Self::unbind_response). The handler gets this client, the
    /// responder's id, the tag and the response.
    pub fn bind_response<F, Fut>(&self, tag: impl Into<MsgTag>, handler: F) -> Result<()>
    where
        F: Fn(Client, ClientId, MsgTag, Response) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if !self.is_callable() {
            return Err(Error::NotCallable {
                what: "bind_response",
            });
        }
        let tag = tag.into();
        Self::check_own_tag(&tag)?;
        let handler = Arc::new(handler);
        let erased = Arc::new(move |c: Client, id: ClientId, tag: MsgTag, r: Response| {
            Box::pin(handler(c, id, tag, r)) as Pin<Box<dyn Future<Output = ()> + Send>>
        });
        lock(&self.inner.routes).insert(&tag, Route::Bound(erased));
        Ok(())
    }

    /// Stops routing responses with `tag` to a bound handler; whether one was bound.
    pub fn unbind_response(&self, tag: impl AsRef<str>) -> bool {
        let mut routes = lock(&self.inner.routes);
        match routes.remove(tag.as_ref()) {
            Some(Route::Bound(_)) => true,
            Some(other) => {
                routes.insert(&MsgTag::new(tag.as_ref()), other);
                false
            }
            None => false,
        }
    }
}
