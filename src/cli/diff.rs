//! `diff`: two lists or images compared per platform; the exit code says whether they match.

use super::args::DiffArgs;
use super::{client, parse_ref, render, write_out as w};
use crate::ops::{self, OpError, Source};
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
    let client = client(args.insecure)?;
    let c = ops::diff(&client, store, &sa, &sb).await?;
    w(out, &render::diff_table(&c));
    Ok(if c.identical() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
