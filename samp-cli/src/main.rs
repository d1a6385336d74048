//! `samp`: SAMP on the command line; the code is in the `samp_cli` library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    samp_cli::run().await
}
