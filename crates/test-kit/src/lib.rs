//! What manifest-tui's tests, benchmark and `demo` command stand on, kept out of the crates
//! that ship the product (`publish = false`; the app takes it only for `demo`, behind its
//! `demo` feature):
//!
//! - [`localreg`]: start and stop a real CNCF Distribution registry on 127.0.0.1.
//! - [`samples`]: deterministic sample images and lists, and the code that pushes them.
//! - [`delay`]: a TCP delay proxy, so a local registry answers as one across a network.
//! - [`http1`]: HTTP/1.1 message framing, which the delay proxy and the tests' fault proxy
//!   both follow.

pub mod delay;
pub mod http1;
pub mod localreg;
pub mod samples;
