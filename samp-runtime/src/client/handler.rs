//! The one handler pipeline: what a handler takes ([`FromMessage`]: the params, the
//! [`Context`], [`State<T>`], in any order) and what it returns
//! ([`IntoResponse`](super::IntoResponse)). Closures given to `bind_*` and functions under
//! `#[samp::call]` / `#[samp::notification]` both go through [`Handler`].

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::context::Context;
use super::response::{IntoResponse, decode_fast, decode_ref};
use samp_protocol::{ErrInfo, Map, Response, Value};

/// The future a type-erased handler returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Response> + Send + 'static>>;

/// Application state a handler takes as [`State<T>`]: given to
/// [`ClientBuilder::state`](super::ClientBuilder::state), cloned for each message.
///
/// A tuple struct, as in axum, so the argument can be destructured:
///
/// ```
/// use samp_runtime::client::State;
/// #[derive(Clone)]
/// struct Viewer { title: String }
/// async fn title(State(viewer): State<Viewer>) -> String { viewer.title }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State<T>(pub T);

/// A state type a handler needs, checked when the handler is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateRequirement {
    /// The type's id.
    pub id: TypeId,
    /// Its name, for messages.
    pub name: &'static str,
}

/// The application's state values, by type.
#[derive(Clone, Default)]
pub(crate) struct StateMap(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl StateMap {
    pub(crate) fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Arc::new(value));
    }

    pub(crate) fn get<T: Clone + 'static>(&self) -> Option<T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref::<T>().cloned()
    }

    pub(crate) fn contains(&self, id: TypeId) -> bool {
        self.0.contains_key(&id)
    }
}

/// Whether an argument takes the message's params.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// Decoded from `samp.params`.
    Params,
    /// Anything else (the context, state).
    Other,
}

/// What a handler's arguments are made from: the context and the params.
pub struct Parts {
    ctx: Context,
    params: Params,
}

enum Params {
    /// One argument takes the params: it gets them by value.
    Owned(Option<Map>),
    /// Several arguments take the params: each decodes from this.
    Shared(Value),
}

impl Parts {
    /// The message's context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }
}

/// A handler argument.
///
/// Implemented for [`Context`], [`State<T>`], and every `serde::de::DeserializeOwned` type,
/// which is decoded from the message's params with the SAMP encodings (a struct with one
/// field per key, a type from `samp::mtypes`, or `samp::Map` for the raw map).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a SAMP handler",
    label = "not a handler argument",
    note = "a handler takes, in any order: its params (any type that implements `serde::Deserialize`: derive it for your params struct, or use a type from `samp::mtypes`, or `samp::Map`), a `samp::Context`, and `samp::State<T>` values (T: Clone + Send + Sync + 'static, given to `Client::builder().state(..)`)"
)]
pub trait FromMessage: Sized + Send + 'static {
    /// Whether the argument takes the params.
    #[doc(hidden)]
    const KIND: ArgKind;

    /// Builds the argument; `Err` is the response to send instead of running the handler.
    // The error is the reply itself, built once on a cold path: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    fn from_message(parts: &mut Parts) -> Result<Self, Response>;

    /// The state type the argument needs, if any.
    fn requirement() -> Option<StateRequirement> {
        None
    }
}

impl<T: DeserializeOwned + Send + 'static> FromMessage for T {
    const KIND: ArgKind = ArgKind::Params;

    fn from_message(parts: &mut Parts) -> Result<Self, Response> {
        let mtype = parts.ctx.mtype();
        match &mut parts.params {
            Params::Owned(map) => decode_fast(mtype, map.take().unwrap_or_default()),
            Params::Shared(value) => decode_ref(mtype, value),
        }
    }
}

impl FromMessage for Context {
    const KIND: ArgKind = ArgKind::Other;

    fn from_message(parts: &mut Parts) -> Result<Self, Response> {
        Ok(parts.ctx.clone())
    }
}

impl<T: Clone + Send + Sync + 'static> FromMessage for State<T> {
    const KIND: ArgKind = ArgKind::Other;

    fn from_message(parts: &mut Parts) -> Result<Self, Response> {
        parts.ctx.client().state::<T>().map(State).ok_or_else(|| {
            // Checked when the handler was bound; only a raw registration gets here.
            Response::error(ErrInfo::new(format!(
                "{}: the handler needs state {}, which this client was not given",
                parts.ctx.mtype(),
                std::any::type_name::<T>()
            )))
        })
    }

    fn requirement() -> Option<StateRequirement> {
        Some(StateRequirement {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
        })
    }
}

/// An async function (or closure) that can handle SAMP messages: every argument
/// [`FromMessage`], the output [`IntoResponse`].
#[diagnostic::on_unimplemented(
    message = "this cannot be a SAMP handler",
    label = "not a handler",
    note = "a handler is an async function or closure (at most 8 arguments, each a params type, a `samp::Context` or a `samp::State<T>`) whose output is a reply: `()`, a `samp::Map`, `Result<T, E>`, a `samp::Response`, ..."
)]
pub trait Handler<Args>: Clone + Send + Sync + 'static {
    /// Runs the handler on one message.
    fn call(&self, ctx: Context, params: Map) -> HandlerFuture;

    /// The state types its arguments need.
    fn requirements() -> Vec<StateRequirement>;
}

/// An already decided response as a handler future.
#[doc(hidden)]
pub fn ready(response: Response) -> HandlerFuture {
    Box::pin(std::future::ready(response))
}

/// The parts the arguments of a handler are made from; `kinds` says which arguments take
/// the params (one gets them by value, several decode from a shared copy).
#[doc(hidden)]
pub fn parts(ctx: Context, params: Map, kinds: &[ArgKind]) -> Parts {
    let takers = kinds.iter().filter(|k| **k == ArgKind::Params).count();
    let params = if takers > 1 {
        Params::Shared(Value::Map(params))
    } else {
        Params::Owned(Some(params))
    };
    Parts { ctx, params }
}

macro_rules! handler_for_arity {
    ($($arg:ident),*) => {
        impl<F, Fut, R, $($arg,)*> Handler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoResponse,
            $($arg: FromMessage,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call(&self, ctx: Context, params: Map) -> HandlerFuture {
                let mut parts = parts(ctx, params, &[$($arg::KIND),*]);
                $(
                    let $arg = match $arg::from_message(&mut parts) {
                        Ok(value) => value,
                        Err(response) => return ready(response),
                    };
                )*
                let fut = (self)($($arg),*);
                Box::pin(async move { fut.await.into_response() })
            }

            fn requirements() -> Vec<StateRequirement> {
                let all: [Option<StateRequirement>; 0 $(+ { let _ = stringify!($arg); 1 })*] =
                    [$($arg::requirement()),*];
                all.into_iter().flatten().collect()
            }
        }
    };
}

handler_for_arity!();
handler_for_arity!(A1);
handler_for_arity!(A1, A2);
handler_for_arity!(A1, A2, A3);
handler_for_arity!(A1, A2, A3, A4);
handler_for_arity!(A1, A2, A3, A4, A5);
handler_for_arity!(A1, A2, A3, A4, A5, A6);
handler_for_arity!(A1, A2, A3, A4, A5, A6, A7);
handler_for_arity!(A1, A2, A3, A4, A5, A6, A7, A8);

/// Runs `handler` on one message (what the attribute macros' adapters call).
#[doc(hidden)]
pub fn call_handler<H: Handler<Args>, Args>(
    handler: H,
    ctx: Context,
    params: Map,
) -> HandlerFuture {
    handler.call(ctx, params)
}

/// The state types `handler` needs (for the attribute macros' registrations).
#[doc(hidden)]
pub fn requirements_of<H: Handler<Args>, Args>(_: &H) -> Vec<StateRequirement> {
    H::requirements()
}
