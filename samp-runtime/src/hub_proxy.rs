//! A typed proxy for the hub's `samp.hub.*` methods (SAMP 1.3 §4.3).
