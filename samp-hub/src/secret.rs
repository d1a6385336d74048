//! Secrets and private keys.

use rand::Rng;

/// 128 random bits from the thread-local CSPRNG (ChaCha, seeded from the OS), as hex.
pub(crate) fn random_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
