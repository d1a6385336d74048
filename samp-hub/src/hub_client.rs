//! The hub's own client: the hub is a registered client too (SAMP 1.3 §3.11), with an id,
//! metadata and subscriptions, and it answers a few calls itself.

use samp_protocol::names::mtype::{APP_PING, QUERY_BY_META, QUERY_BY_META_STD};
use samp_protocol::{ClientId, ErrInfo, Map, Metadata, RawMessage, Response, Subscriptions, Value};

use crate::clients::{ClientTable, HubClient};

/// The hub's own public id.
pub const HUB_ID: &str = "hub";

/// The MTypes the hub's own client answers.
const ANSWERS: [&str; 3] = [APP_PING, QUERY_BY_META, QUERY_BY_META_STD];

/// The hub's entry in the client table.
pub(crate) fn client(name: &str, web: bool) -> HubClient {
    let mut hub = HubClient::new(ClientId::new(HUB_ID), None);
    let profiles = if web {
        "Standard and Web Profiles"
    } else {
        "Standard Profile"
    };
    hub.metadata = Metadata::new()
        .with_name(name)
        .with_description_text(format!("SAMP hub written in Rust ({profiles})"))
        .with("author.name", "the samp developers")
        .with("hub.version", env!("CARGO_PKG_VERSION"));
    let subscriptions =
        Subscriptions::from_patterns(ANSWERS).expect("the hub's own MTypes are valid patterns");
    hub.set_subscriptions(subscriptions);
    hub
}

/// The hub's answer to a call sent to it.
pub(crate) fn answer(clients: &ClientTable, message: &RawMessage) -> Response {
    let message = match message.parse() {
        Ok(message) => message,
        Err(e) => return Response::error(ErrInfo::new(format!("unreadable message: {e}"))),
    };
    match message.mtype.as_str() {
        APP_PING => Response::ok_empty(),
        QUERY_BY_META | QUERY_BY_META_STD => {
            match (message.get_str("key"), message.get_param("value")) {
                (Some(key), Some(value)) => {
                    let ids: Vec<Value> = clients
                        .iter()
                        .filter(|c| c.metadata.get(key) == Some(value))
                        .map(|c| Value::from(&c.id))
                        .collect();
                    Response::ok(Map::from([("ids".to_owned(), Value::List(ids))]))
                }
                _ => Response::error(ErrInfo::new(format!(
                    "{} needs string params key and value",
                    message.mtype
                ))),
            }
        }
        other => Response::error(ErrInfo::new(format!("the hub does not handle {other}"))),
    }
}
