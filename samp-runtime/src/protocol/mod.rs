//! Typed SAMP protocol maps, identifiers, MType patterns, lockfiles and hub discovery.
