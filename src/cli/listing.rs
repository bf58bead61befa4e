//! `tags REPO` and `catalog REGISTRY`: what `crane ls` / `skopeo list-tags` and
//! `crane catalog` give scripts, every page of the registry's listing followed.

use super::args::{CatalogArgs, NamesFormat, TagsArgs};
use super::inspect::json_out;
use super::{client, parse_ref};
use crate::ops::OpError;
use std::process::ExitCode;

/// `tags REPO`: every tag, in the registry's order, one a line or as JSON.
pub async fn tags(args: TagsArgs, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let r = parse_ref(&args.repo)?;
    if r.tag.is_some() || r.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{:?} names an image, not a repository: give it without :tag or @digest (e.g. `manifest-tui tags {}`)",
            args.repo,
            r.name()
        )));
    }
    let repo = crate::registry::Repo::of(&r);
    let tags = client(args.insecure)?
        .list_tags(&repo, crate::registry::PAGE_SIZE)
        .await
        .map_err(|source| OpError::Registry {
            context: format!("listing the tags of {repo}"),
            source,
        })?;
    // A layout's one repository has no path: it is called by its place.
    let name = if r.is_layout() { r.name() } else { repo.path };
    let json = serde_json::json!({ "name": name, "tags": tags });
    write_names(out, args.format, &tags, json)
}

/// `catalog REGISTRY`: every repository, in the registry's order, one a line or as JSON.
pub async fn catalog(args: CatalogArgs, out: &mut dyn std::io::Write) -> Result<ExitCode, OpError> {
    let host = crate::reference::registry_host(&args.registry).map_err(OpError::Invalid)?;
    let repos = client(args.insecure)?
        .list_catalog(&host, crate::registry::PAGE_SIZE)
        .await
        .map_err(|source| {
            let hint = if source.refuses_catalog() {
                format!(" (some registries, Docker Hub and GHCR among them, offer no catalog; list a repository's tags with `manifest-tui tags {host}/REPO`)")
            } else {
                String::new()
            };
            OpError::Registry {
                context: format!("listing the repositories of {host}{hint}"),
                source,
            }
        })?;
    let json = serde_json::json!({ "repositories": repos });
    write_names(out, args.format, &repos, json)
}

/// Names one a line (made inert for the terminal), or the JSON document.
fn write_names(
    out: &mut dyn std::io::Write,
    format: NamesFormat,
    names: &[String],
    json: serde_json::Value,
) -> Result<ExitCode, OpError> {
    let text = match format {
        NamesFormat::Json => json_out(json.to_string()),
        NamesFormat::Text => names
            .iter()
            .map(|n| format!("{}\n", crate::sanitize::inert(n)))
            .collect(),
    };
    out.write_all(text.as_bytes())
        .map_err(|e| OpError::Invalid(format!("writing the listing to stdout failed: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
