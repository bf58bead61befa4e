//! Fetch what is inside images: each platform's manifest and config file, all platforms of a
//! list at once (one round trip for the manifests, one for the configs, whatever the count).

use super::{reg_err, OpError};
use crate::image::{ConfigFile, ImageDetails};
use crate::media::{Descriptor, Parsed, RawManifest};
use crate::reference::Reference;
use crate::registry::{Client, Repo};
use futures_util::future::join_all;

/// The largest config file read (BuildKit configs with long histories run to a few hundred KiB).
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;

/// GET an image's config blob, digest-verified.
pub async fn config_bytes(
    client: &Client,
    repo: &Repo,
    config: &Descriptor,
    of: &Reference,
) -> Result<Vec<u8>, OpError> {
    client
        .get_blob(repo, &config.digest, MAX_CONFIG_BYTES)
        .await
        .map_err(reg_err(format!("fetching the image config of {of}")))
}

/// Parse the config file of `of` ([`ConfigFile::parse`]), the error naming the image.
pub(crate) fn parse_config(bytes: &[u8], of: &Reference) -> Result<ConfigFile, OpError> {
    ConfigFile::parse(bytes).map_err(|e| OpError::Invalid(format!("the image config of {of}: {e}")))
}

/// One image's details. `at` names the image (`repo@digest` or a tag); `manifest`, when the
/// caller already has the exact bytes (a draft's entry, a fetched child), saves the GET.
pub async fn image_details(
    client: &Client,
    at: &Reference,
    manifest: Option<RawManifest>,
) -> Result<ImageDetails, OpError> {
    let manifest = match manifest {
        Some(m) => m,
        None => client
            .get_manifest(at)
            .await
            .map_err(reg_err(format!("fetching {at}")))?,
    };
    let image = match manifest
        .parse()
        .map_err(|e| OpError::Invalid(format!("{at}: {e}")))?
    {
        Parsed::Image(i) => *i,
        Parsed::Index(_) => {
            return Err(OpError::Invalid(format!(
                "{at} is a list ({}), not an image: pick one of its platforms",
                manifest.media_type
            )))
        }
    };
    let config_bytes = config_bytes(client, &Repo::of(at), &image.config, at).await?;
    let config = parse_config(&config_bytes, at)?;
    Ok(ImageDetails {
        manifest,
        image,
        config_bytes,
        config,
    })
}

/// The details of every entry of a list in `repo` (given by its descriptors), fetched
/// concurrently; one result per descriptor, in order, so a failed platform says why in its
/// own row while the others still show.
pub async fn list_details(
    client: &Client,
    list: &Reference,
    entries: &[Descriptor],
) -> Vec<Result<ImageDetails, OpError>> {
    join_all(entries.iter().map(|d| {
        let at = list.at_digest(&d.digest);
        async move { image_details(client, &at, None).await }
    }))
    .await
}

/// The details of what an inspection shows: every entry of a list (as [`list_details`]), or
/// the image itself (its manifest is already there, so only its config is fetched).
pub async fn inspection_details(
    client: &Client,
    ins: &crate::ops::Inspection,
) -> Vec<Result<ImageDetails, OpError>> {
    if ins.is_list() {
        let entries: Vec<Descriptor> = ins.entries.iter().map(|e| e.descriptor.clone()).collect();
        list_details(client, &ins.reference, &entries).await
    } else {
        vec![image_details(client, &ins.reference, Some(ins.manifest.clone())).await]
    }
}
