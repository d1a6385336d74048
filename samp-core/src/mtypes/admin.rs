//! The standard's own MTypes (SAMP.md §6): what clients exchange about themselves and their
//! calls, the hub's events, and the hub query `x-samp.query.by-meta`.

use crate::Map;

vocabulary! {
    /// Are you alive? Send as a call; any response means yes.
    SampAppPing = "samp.app.ping" -> () {
        required {}
        optional {}
    }
}

vocabulary! {
    /// A status announcement from the sender.
    SampAppStatus = "samp.app.status" -> () {
        required {
            /// The status, as text.
            txt: String = "txt",
        }
        optional {}
    }
}

vocabulary! {
    /// The sender is about to exit (not a substitute for unregistering).
    SampAppEventShutdown = "samp.app.event.shutdown" -> () {
        required {}
        optional {}
    }
}

vocabulary! {
    /// Progress of a call: sent by the call's recipient to its sender while it works.
    SampMsgProgress = "samp.msg.progress" -> () {
        required {
            /// The msg-id of the call reported on.
            msgid: String = "msgid",
            /// What is happening, as text.
            txt: String = "txt",
        }
        optional {
            /// Approximately how much is done, in percent.
            percent: f64 = "percent",
            /// Estimated seconds still to go.
            time_left: f64 = "timeLeft",
        }
    }
}

vocabulary! {
    /// Which clients have metadata key `key` set to exactly `value`? Sent as a call to the
    /// hub (JSAMP also accepts `samp.query.by-meta`).
    XSampQueryByMeta = "x-samp.query.by-meta" -> XSampQueryByMetaResult {
        required {
            /// The metadata key, e.g. `samp.name`.
            key: String = "key",
            /// The value to match exactly.
            value: String = "value",
        }
        optional {}
    }
}

vocab_struct! {
    /// The result of `x-samp.query.by-meta`.
    XSampQueryByMetaResult {
        required {
            /// The public ids of the matching clients.
            ids: Vec<String> = "ids",
        }
        optional {}
    }
}

vocabulary! {
    /// The hub is about to stop (from the hub).
    SampHubEventShutdown = "samp.hub.event.shutdown" -> () {
        required {}
        optional {}
    }
}

vocabulary! {
    /// A client has registered (from the hub).
    SampHubEventRegister = "samp.hub.event.register" -> () {
        required {
            /// Its public id.
            id: String = "id",
        }
        optional {}
    }
}

vocabulary! {
    /// A client has left (from the hub).
    SampHubEventUnregister = "samp.hub.event.unregister" -> () {
        required {
            /// Its public id.
            id: String = "id",
        }
        optional {}
    }
}

vocabulary! {
    /// A client has declared its metadata (from the hub).
    SampHubEventMetadata = "samp.hub.event.metadata" -> () {
        required {
            /// Its public id.
            id: String = "id",
            /// Its new metadata.
            metadata: Map = "metadata",
        }
        optional {}
    }
}

vocabulary! {
    /// A client has declared its subscriptions (from the hub).
    SampHubEventSubscriptions = "samp.hub.event.subscriptions" -> () {
        required {
            /// Its public id.
            id: String = "id",
            /// Its new subscriptions: MType pattern to annotations.
            subscriptions: Map = "subscriptions",
        }
        optional {}
    }
}

vocabulary! {
    /// The hub is about to unregister the recipient by force (from the hub).
    SampHubDisconnect = "samp.hub.disconnect" -> () {
        required {}
        optional {
            /// Why.
            reason: String = "reason",
        }
    }
}
