//! Whole-list changes of the local store: a new empty list, a new target for a list, and the
//! format a list is pushed as. Each runs under the store's lock and needs no network.

use super::OpError;
use crate::reference::Reference;
use crate::store::{Draft, Format, ListMeta, ListName, Store, StoreError};

/// Create an empty list `list` (`:latest` when it has no tag) to be pushed as `format`.
/// Returns the list's reference as stored.
pub fn new_list(store: &Store, list: &Reference, format: Format) -> Result<Reference, OpError> {
    let list = list.clone().with_default_tag();
    if list.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{list}: a list is pushed under a tag, not a digest; name it like {}:TAG",
            list.name()
        )));
    }
    if store.exists(&list) {
        return Err(OpError::Invalid(format!(
            "{list} already exists locally; pick it in the list, or choose another name"
        )));
    }
    store.update(&list, |cur| {
        if cur.is_some() {
            return Err(OpError::Invalid(format!("{list} already exists locally")));
        }
        let draft = Draft {
            list: list.clone(),
            entries: Vec::new(),
            meta: ListMeta {
                format: Some(format),
                ..Default::default()
            },
        };
        Ok((draft, ()))
    })?;
    Ok(list)
}

/// What [`rename_list`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Renamed {
    /// The list moved to the new target's store directory.
    Moved(Reference),
    /// The same store directory: only the recorded name changed.
    Retargeted(Reference),
    /// The list already had exactly this target.
    Unchanged(Reference),
}

/// Give the list `from` the target `to` (`:latest` when it has no tag). A target in the same
/// store directory only records the exact name (this is how the target of a docker-made list
/// with an ambiguous name is chosen); another target moves the list, refusing one that exists.
pub fn rename_list(store: &Store, from: &Reference, to: &Reference) -> Result<Renamed, OpError> {
    let to = to.clone().with_default_tag();
    if to.digest.is_some() {
        return Err(OpError::Invalid(format!(
            "{to}: a list is pushed under a tag, not a digest"
        )));
    }
    if to.store_name() == from.store_name() {
        let changed = store.update(from, |cur| {
            let mut d = cur.ok_or_else(|| StoreError::NoSuchList(from.to_string()))?;
            let changed = d.list != to || d.meta.name != ListName::Exact;
            d.list = to.clone();
            d.meta.name = ListName::Exact;
            Ok::<_, StoreError>((d, changed))
        })?;
        return Ok(if changed {
            Renamed::Retargeted(to)
        } else {
            Renamed::Unchanged(to)
        });
    }
    if store.exists(&to) {
        return Err(OpError::Invalid(format!(
            "{to} already exists locally; delete it first or choose another name"
        )));
    }
    let draft = store.load(from)?;
    store.update(&to, |cur| {
        if cur.is_some() {
            return Err(StoreError::Corrupt {
                path: store.list_dir(&to),
                reason: "it appeared while renaming".into(),
            });
        }
        Ok((
            Draft {
                list: to.clone(),
                ..draft
            },
            (),
        ))
    })?;
    store.remove(from).map_err(|e| {
        OpError::Invalid(format!(
            "{to} was written, but removing the old {from} failed: {e}"
        ))
    })?;
    Ok(Renamed::Moved(to))
}

/// Choose the format `list` is pushed as; `None` is docker's rule (the first entry's family).
pub fn set_format(store: &Store, list: &Reference, format: Option<Format>) -> Result<(), OpError> {
    store.update(list, |cur| {
        let mut d = cur.ok_or_else(|| StoreError::NoSuchList(list.to_string()))?;
        d.meta.format = format;
        Ok::<_, StoreError>((d, ()))
    })?;
    Ok(())
}
