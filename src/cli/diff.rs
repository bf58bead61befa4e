//! `diff`: two lists or images compared per platform, each platform classified (identical,
//! format only, config only, layers changed, only on one side); `--platform` shows one
//! platform's layers and config side by side. The exit code is the verdict ([`super::exit`]):
//! 0 the same, 1 different, 2 when they could not be compared.

use super::args::{DiffArgs, DiffFormat};
use super::exit::Verdict;
use super::{client_with, parse_ref, render, write_out as w};
use crate::ops::{self, OpError, Source};
use crate::platform::Platform;
use crate::store::Store;
use std::process::ExitCode;

pub(super) async fn diff(
    store: &Store,
    args: DiffArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let side = |s: &str, local: bool| -> Result<Source, OpError> {
        let r = parse_ref(s)?;
        Ok(if local {
            Source::Local(r)
        } else {
            Source::Remote(r)
        })
    };
    let sa = side(&args.a, args.local_a)?;
    let sb = side(&args.b, args.local_b)?;
    // A mistyped platform is refused before any request.
    let platform = match &args.platform {
        Some(p) => Some(Platform::parse(p).map_err(|e| {
            OpError::Invalid(format!(
                "--platform {p:?}: {e} (write it as os/arch[/variant], e.g. linux/arm64)"
            ))
        })?),
        None => None,
    };
    // Both sides' images in one wave: two 24-entry lists are 48 manifests, then 48 configs
    // (a second wave over fresh connections would cost two round trips more).
    let client = client_with(args.insecure, 2 * crate::registry::DEFAULT_MAX_IN_FLIGHT)?;
    let c = ops::diff(&client, store, &sa, &sb).await?;
    let json = args.format == DiffFormat::Json;
    let differs = match &platform {
        Some(p) => {
            let Some(row) = c.row(p) else {
                let have: Vec<String> = c.rows.iter().map(|r| r.platform.display()).collect();
                return Err(OpError::Invalid(format!(
                    "neither side has platform {}; the platforms compared are: {}",
                    p.display(),
                    have.join(", ")
                )));
            };
            if json {
                w(out, &render::platform_diff_json(&c, row));
            } else {
                w(out, &render::platform_diff_text(&c, row));
            }
            row.status.differs(args.strict)
        }
        None => {
            if json {
                w(out, &render::diff_json(&c, args.strict));
            } else {
                w(out, &render::diff_table(&c));
            }
            c.differs(args.strict)
        }
    };
    Ok(Verdict::of(differs).exit_code())
}
