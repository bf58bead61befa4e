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
        config,
        platform,
        refs,
    } = args;
    if config {
        if refs.len() == 2 {
            return Err(OpError::Invalid(
                "--config takes one reference (an image, or a list with --platform); \
                 `inspect LIST ENTRY` reads the local store"
                    .to_string(),
            ));
        }
        let r = parse_ref(&refs[0])?.with_default_tag();
        let client = client(insecure)?;
        let d = config_of(&client, &r, platform.as_deref()).await?;
        w(
            out,
            &json_out(crate::media::reindent(&d.config_bytes, "\t")),
        );
        return Ok(ExitCode::SUCCESS);
    }
    if refs.len() == 2 {
        return inspect_entry(store, &refs[0], &refs[1], verbose, format, out);
    }
    let r = parse_ref(&refs[0])?.with_default_tag();
    // Like docker: a local list of that name wins over the registry.
    let (ins, details) = if store.exists(&r) {
        let (draft, idx) = ops::inspect_local(store, &r, None)?;
        (local_inspection(&draft, &idx), None)
    } else {
        let client = client(insecure)?;
        let details_wanted = format != InspectFormat::Docker;
        let opts = ops::InspectOptions {
            children: verbose,
            configs: verbose && !details_wanted,
        };
        let ins = ops::inspect(&client, &r, opts, ops::no_progress()).await?;
        let details = if details_wanted {
            Some(ops::inspection_details(&client, &ins).await)
        } else {
            None
        };
        (ins, details)
    };
    let failed = details
        .as_ref()
        .is_some_and(|d| d.iter().any(|r| r.is_err()));
    let text = match (format, verbose) {
        (InspectFormat::Table, _) => render::inspect_table(&ins, &details),
        (InspectFormat::Json, _) => json_out(super::details::json_view(&ins, &details)),
        (InspectFormat::Docker, true) => json_out(render::inspect_verbose(&ins)),
        (InspectFormat::Docker, false) => json_out(render::inspect_plain(&ins)),
    };
    w(out, &text);
    // Everything that could be fetched is shown; a platform whose details failed still
    // makes the command fail, so scripts notice.
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The image `r` names, or with a list, the image of `platform` (which must name exactly one
/// of its platforms; attestation entries are not platforms).
async fn config_of(
    client: &crate::registry::Client,
    r: &crate::reference::Reference,
    platform: Option<&str>,
) -> Result<crate::image::ImageDetails, OpError> {
    use crate::media::Parsed;
    let m = client
        .get_manifest(r)
        .await
        .map_err(|e| OpError::Registry {
            context: format!("fetching {r}"),
            source: e,
        })?;
    let index = match m
        .parse()
        .map_err(|e| OpError::Invalid(format!("{r}: {e}")))?
    {
        Parsed::Image(_) => {
            if let Some(p) = platform {
                return Err(OpError::Invalid(format!(
                    "{r} is a single image, not a list: drop --platform {p}"
                )));
            }
            return ops::image_details(client, r, Some(m)).await;
        }
        Parsed::Index(i) => i,
    };
    let platforms: Vec<(crate::platform::Platform, &crate::media::Descriptor)> = index
        .manifests
        .iter()
        .filter_map(|d| d.platform.clone().map(|p| (p, d)))
        .filter(|(p, _)| !p.is_unknown())
        .collect();
    let names = || {
        platforms
            .iter()
            .map(|(p, _)| p.display())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen: Vec<&crate::media::Descriptor> = match platform {
        None if platforms.len() == 1 => vec![platforms[0].1],
        None => {
            return Err(OpError::Invalid(format!(
                "{r} is a list of {} platforms: choose one with --platform (one of: {})",
                platforms.len(),
                names()
            )))
        }
        Some(p) => {
            let want = crate::platform::Platform::parse(p)
                .map_err(|e| OpError::Invalid(format!("--platform {p:?}: {e}")))?;
            platforms
                .iter()
                .filter(|(have, _)| want.selects(have))
                .map(|(_, d)| *d)
                .collect()
        }
    };
    match chosen[..] {
        [d] => ops::image_details(client, &r.at_digest(&d.digest), None).await,
        [] => Err(OpError::Invalid(format!(
            "{r} has no platform {}: choose one of its platforms with --platform: {}",
            platform.unwrap_or_default(),
            names()
        ))),
        _ => Err(OpError::Invalid(format!(
            "--platform {} names {} entries of {r} (they differ in os.version): {}; \
             pick one by digest with --config {r}@DIGEST",
            platform.unwrap_or_default(),
            chosen.len(),
            chosen
                .iter()
                .map(|d| format!(
                    "{} {}",
                    d.platform.clone().unwrap_or_default().display(),
                    d.digest
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
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
        InspectFormat::Docker | InspectFormat::Json if verbose => {
            let obj = render::verbose_object(&e.reference, &e.descriptor, &e.raw);
            w(out, &json_out(crate::media::reindent(obj.as_bytes(), "\t")));
        }
        InspectFormat::Docker | InspectFormat::Json => {
            w(out, &json_out(crate::media::reindent(&e.raw.bytes, "\t")))
        }
        InspectFormat::Table => w(
            out,
            &render::inspect_table(&local_inspection(&draft, &idx), &None),
        ),
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
