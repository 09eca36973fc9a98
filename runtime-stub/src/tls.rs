//! The crypto provider behind `_ssl`: RustPython's rustls-based `ssl` needs one set for
//! the whole process before any TLS happens, or it panics on first use.

use rustls::crypto::ring;
use rustpython_vm::host_env::ssl::CryptoExt;

/// Install ring as rustls' process-wide provider, with the extra tables `_ssl` reads
/// (cipher suites and key-exchange groups for `SSLContext.set_ciphers`, key loading for
/// `load_cert_chain`, session tickets for servers). Cheap: only statics are set.
pub fn install_provider() {
    let ext = CryptoExt {
        all_cipher_suites: Some(ring::ALL_CIPHER_SUITES),
        default_cipher_suites: None,
        all_kx_groups: Some(ring::ALL_KX_GROUPS),
        any_supported_key: Some(ring::sign::any_supported_type),
        ticketer: ring::Ticketer::new,
    };
    // Fails only if a provider is already set, which nothing else in the stub does.
    let _ = CryptoExt::set_provider(ring::default_provider(), ext);
}
