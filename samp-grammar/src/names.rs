//! The standard's names: MTypes of the `samp.` administrative vocabulary and the keys of
//! every protocol map, written once for the whole workspace (SAMP 1.3 §3, §4, §6).

/// MTypes the standard defines (hub events, client administration) and the hub query
/// every hub answers.
pub mod mtype {
    /// The hub is about to stop (hub → everyone).
    pub const HUB_EVENT_SHUTDOWN: &str = "samp.hub.event.shutdown";
    /// A client registered; param `id`.
    pub const HUB_EVENT_REGISTER: &str = "samp.hub.event.register";
    /// A client left; param `id`.
    pub const HUB_EVENT_UNREGISTER: &str = "samp.hub.event.unregister";
    /// A client declared metadata; params `id`, `metadata`.
    pub const HUB_EVENT_METADATA: &str = "samp.hub.event.metadata";
    /// A client declared subscriptions; params `id`, `subscriptions`.
    pub const HUB_EVENT_SUBSCRIPTIONS: &str = "samp.hub.event.subscriptions";
    /// The hub is about to unregister the recipient by force; param `reason`.
    pub const HUB_DISCONNECT: &str = "samp.hub.disconnect";
    /// Prefix of every MType only the hub may send.
    pub const HUB_PREFIX: &str = "samp.hub.";
    /// Liveness check between clients; no params, empty result.
    pub const APP_PING: &str = "samp.app.ping";
    /// A client's status text; param `txt`.
    pub const APP_STATUS: &str = "samp.app.status";
    /// A client is about to exit.
    pub const APP_EVENT_SHUTDOWN: &str = "samp.app.event.shutdown";
    /// Progress of an earlier call; params `msgid`, `txt`, optional `percent`, `timeLeft`.
    pub const MSG_PROGRESS: &str = "samp.msg.progress";
    /// Clients whose metadata has a key with a value; params `key`, `value`; result `ids`.
    pub const QUERY_BY_META: &str = "x-samp.query.by-meta";
    /// The standard spelling JSAMP also accepts for [`QUERY_BY_META`].
    pub const QUERY_BY_META_STD: &str = "samp.query.by-meta";
}

/// Keys of the message map (§3.8).
pub mod message {
    /// The MType.
    pub const MTYPE: &str = "samp.mtype";
    /// The parameter map.
    pub const PARAMS: &str = "samp.params";
}

/// Keys and values of the response map (§3.9).
pub mod response {
    /// The status: one of [`OK`], [`WARNING`], [`ERROR`].
    pub const STATUS: &str = "samp.status";
    /// The result map.
    pub const RESULT: &str = "samp.result";
    /// The error map.
    pub const ERROR: &str = "samp.error";
    /// Status: success.
    pub const OK: &str = "samp.ok";
    /// Status: partial success.
    pub const WARNING: &str = "samp.warning";
    /// Status: failure (same text as the key [`ERROR`]).
    pub const ERROR_STATUS: &str = "samp.error";
}

/// Keys of the error map (§3.9).
pub mod error {
    /// Short description (required).
    pub const ERRORTXT: &str = "samp.errortxt";
    /// Longer text for the user.
    pub const USERTXT: &str = "samp.usertxt";
    /// Debugging detail.
    pub const DEBUGTXT: &str = "samp.debugtxt";
    /// Numeric or textual code.
    pub const CODE: &str = "samp.code";
}

/// Keys of the application metadata map (§3.6), standard and widely used.
pub mod metadata {
    /// Short application name.
    pub const NAME: &str = "samp.name";
    /// Plain-text description.
    pub const DESCRIPTION_TEXT: &str = "samp.description.text";
    /// Description as an HTML fragment.
    pub const DESCRIPTION_HTML: &str = "samp.description.html";
    /// Icon URL.
    pub const ICON_URL: &str = "samp.icon.url";
    /// Documentation URL.
    pub const DOCUMENTATION_URL: &str = "samp.documentation.url";
    /// Author (not reserved; TOPCAT and Aladin send it).
    pub const AUTHOR_NAME: &str = "author.name";
    /// Author's e-mail (not reserved).
    pub const AUTHOR_EMAIL: &str = "author.email";
    /// Home page (not reserved).
    pub const HOME_PAGE: &str = "home.page";
    /// Release version (proposed in SampXSamp).
    pub const RELEASE_VERSION: &str = "x-samp.release.version";
}

/// Keys of the registration-info map (§3.5, §4.2, §5.2).
pub mod reg_info {
    /// The hub's own public id.
    pub const HUB_ID: &str = "samp.hub-id";
    /// The registering client's public id.
    pub const SELF_ID: &str = "samp.self-id";
    /// The registering client's private key.
    pub const PRIVATE_KEY: &str = "samp.private-key";
    /// Web Profile: the URL-translation prefix.
    pub const URL_TRANSLATOR: &str = "samp.url-translator";
}

/// Keys of the Standard Profile lockfile (§4.3).
pub mod lockfile {
    /// The registration secret.
    pub const SECRET: &str = "samp.secret";
    /// The hub's XML-RPC endpoint.
    pub const XMLRPC_URL: &str = "samp.hub.xmlrpc.url";
    /// The Standard Profile version.
    pub const PROFILE_VERSION: &str = "samp.profile.version";
}

/// Subscription annotation keys in use (none is standard in 1.3).
pub mod annotation {
    /// A one-line description of what the subscriber does with the MType.
    pub const DESCRIPTION: &str = "x-samp.description";
    /// `"1"`: web clients may send this MType to the subscriber; `"0"`: they may not.
    pub const MOSTLY_HARMLESS: &str = "x-samp.mostly-harmless";
    /// The standard spelling JSAMP also reads for [`MOSTLY_HARMLESS`].
    pub const MOSTLY_HARMLESS_STD: &str = "samp.mostly-harmless";
}
