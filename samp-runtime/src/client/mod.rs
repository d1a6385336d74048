//! The SAMP client runtime.
