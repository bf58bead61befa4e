//! Fetch the in-toto statements of an attestation manifest (all layers at once).

use super::{reg_err, OpError};
use crate::attest::{layer_predicate, parse_statement, Statement};
use crate::media::{Descriptor, Parsed};
use crate::reference::Reference;
use crate::registry::{Client, Repo};
use futures_util::future::join_all;

/// The largest statement read (SBOMs of big images run to tens of MiB).
pub const MAX_STATEMENT_BYTES: usize = 64 * 1024 * 1024;

/// One layer of an attestation manifest: its descriptor, the predicate type its annotation
/// names, and the statement (or why it could not be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLayer {
    pub layer: Descriptor,
    pub predicate_type: Option<String>,
    pub statement: Result<Statement, String>,
}

/// The statements of the attestation manifest `attestation` (an entry of the list `list`),
/// every layer fetched concurrently. Layers that are not in-toto statements are skipped.
pub async fn statements(
    client: &Client,
    list: &Reference,
    attestation: &Descriptor,
) -> Result<Vec<StatementLayer>, OpError> {
    let at = list.at_digest(&attestation.digest);
    let m = client
        .get_manifest(&at)
        .await
        .map_err(reg_err(format!("fetching the attestation {at}")))?;
    let Ok(Parsed::Image(img)) = m.parse() else {
        return Err(OpError::Invalid(format!(
            "the attestation {at} is not an image manifest ({})",
            m.media_type
        )));
    };
    let repo = Repo::of(&at);
    let layers = img
        .layers
        .into_iter()
        .filter(|l| l.media_type.contains("in-toto") || layer_predicate(l).is_some());
    Ok(join_all(layers.map(|layer| {
        let repo = repo.clone();
        async move {
            let statement = match client
                .get_blob(&repo, &layer.digest, MAX_STATEMENT_BYTES)
                .await
            {
                Ok(bytes) => parse_statement(&bytes),
                Err(e) => Err(e.to_string()),
            };
            StatementLayer {
                predicate_type: layer_predicate(&layer).map(String::from),
                layer,
                statement,
            }
        }
    }))
    .await)
}
