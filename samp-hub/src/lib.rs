//! A SAMP hub.
