//! `inspect`: a list or image from the registry, or a list (or one of its entries) from the
//! local store, as docker prints it or as a table.

use super::args::{InspectArgs, InspectFormat};
use super::{client, parse_ref, render, write_out as w};
use crate::ops::{self, OpError};
use crate::store::Store;
use std::process::ExitCode;

pub(super) async fn inspect(
    store: &Store,
    args: InspectArgs,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let InspectArgs {
        insecure,
        verbose,
        format,
        refs,
    } = args;
    if refs.len() == 2 {
        return inspect_entry(store, &refs[0], &refs[1], verbose, format, out);
    }
    let r = parse_ref(&refs[0])?.with_default_tag();
    // Like docker: a local list of that name wins over the registry.
    let ins = if store.exists(&r) {
        let (draft, idx) = ops::inspect_local(store, &r, None)?;
        local_inspection(&draft, &idx)
    } else {
        let client = client(insecure)?;
        let opts = ops::InspectOptions {
            children: verbose,
            configs: verbose || format == InspectFormat::Table,
        };
        ops::inspect(&client, &r, opts, ops::no_progress()).await?
    };
    let text = match (format, verbose) {
        (InspectFormat::Table, _) => render::inspect_table(&ins),
        (InspectFormat::Json, true) => json_out(render::inspect_verbose(&ins)),
        (InspectFormat::Json, false) => json_out(render::inspect_plain(&ins)),
    };
    w(out, &text);
    Ok(ExitCode::SUCCESS)
}

/// `inspect LIST ENTRY`: one entry of a local list.
fn inspect_entry(
    store: &Store,
    list: &str,
    entry: &str,
    verbose: bool,
    format: InspectFormat,
    out: &mut dyn std::io::Write,
) -> Result<ExitCode, OpError> {
    let list = parse_ref(list)?;
    let entry = parse_ref(entry)?;
    let (draft, idx) = ops::inspect_local(store, &list, Some(&entry))?;
    let e = &draft.entries[idx[0]];
    match format {
        // Like docker: `-v` shows the store entry, otherwise the entry's manifest.
        InspectFormat::Json if verbose => {
            let obj = render::verbose_object(&e.reference, &e.descriptor, &e.raw);
            w(out, &json_out(crate::media::reindent(obj.as_bytes(), "\t")));
        }
        InspectFormat::Json => w(out, &json_out(crate::media::reindent(&e.raw.bytes, "\t"))),
        InspectFormat::Table => w(out, &render::inspect_table(&local_inspection(&draft, &idx))),
    }
    Ok(ExitCode::SUCCESS)
}

/// JSON for the terminal: one trailing newline, and characters a terminal could act on
/// escaped inside strings (the document's value is unchanged).
pub(super) fn json_out(json: String) -> String {
    let mut s = crate::sanitize::json_inert(&json).into_owned();
    s.push('\n');
    s
}

/// A local draft viewed as an inspection (for `inspect` of a local list).
fn local_inspection(draft: &crate::store::Draft, idx: &[usize]) -> ops::Inspection {
    let kind = draft.kind();
    let (_, bytes) = ops::list_bytes_for(draft);
    let entries = idx
        .iter()
        .map(|&i| {
            let e = &draft.entries[i];
            ops::InspectEntry {
                reference: e.reference.clone(),
                descriptor: e.descriptor.clone(),
                manifest: Some(e.raw.clone()),
                config: None,
            }
        })
        .collect();
    ops::Inspection {
        reference: draft.list.clone(),
        manifest: crate::media::RawManifest {
            digest: crate::digest::Digest::sha256(&bytes),
            bytes,
            media_type: kind.media_type().to_string(),
        },
        entries,
        annotations: draft.meta.annotations.clone(),
    }
}
