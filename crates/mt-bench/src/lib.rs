//! The speed benchmark: a TCP delay proxy in front of a real local registry, and a
//! driver that runs `docker manifest` and `manifest-tui` side by side through it.
//!
//! - the delay proxy (per-direction delay queues, a handshake round trip per new connection,
//!   connection and HTTP request counters) is `mt_testkit::delay`, shared with the
//!   screenshots example.
//! - [`seed`]: the 24 extra images and the 24-entry list the benchmark needs on top of
//!   [`mt_testkit::samples`].
//! - [`copy`]: the copy benchmark (two registries, `manifest-tui copy` next to
//!   `skopeo copy --all`, a 6-platform list of incompressible layers).
//! - [`sync`]: the sync benchmark (`--sync`: a skopeo sync YAML of 12 tags in 4
//!   repositories, `manifest-tui sync` next to `skopeo sync --all --preserve-digests`).
//! - [`layout`]: the OCI layout benchmark (`--layout`: registry -> `oci:DIR:TAG` and back,
//!   `manifest-tui copy` next to `skopeo copy --all --preserve-digests`).
//! - [`run`]: the scenarios, timing, medians, targets and the printed table / JSON report.
//! - [`details`]: every platform's details of a 24-entry list, against a skopeo script
//!   (`--details`).
//!
//! Run it with `scripts/bench.sh` (builds the release binaries, then runs `mt-bench`).

pub mod copy;
pub mod details;
pub mod layout;
pub mod run;
pub mod seed;
pub mod sync;
