//! HTTP/1.1 for XML-RPC: a keep-alive server with limits and a pooled client.
