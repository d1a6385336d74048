//! SAMP int, float and boolean encodings (SAMP 1.3 §3.4).
