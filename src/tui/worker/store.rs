//! The store side of the worker: reading every local list, and running one change of the
//! store (the network-free ones through the core's operations, adding entries through
//! `create --amend`).

use super::{DraftRow, Reply, Shared, StoreOp};
use crate::ops;
use crate::reference::Reference;
use crate::registry::Client;
use crate::store::{Format, Store};

/// Every local list, read off the async threads.
pub(super) async fn list_drafts(store: &Store) -> Reply {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || draft_rows(&store)).await {
        Ok(Ok(rows)) => Reply::Drafts {
            rows,
            focus: None,
            note: None,
        },
        Ok(Err(e)) => Reply::Failed(e),
        Err(e) => Reply::Failed(format!("reading the local lists failed: {e}")),
    }
}

/// Run a store change and reply with the lists afterwards; `None` when the change needs the
/// registry client and there is none.
pub(super) async fn change_store(
    shared: &Shared,
    client: Option<&Client>,
    op: StoreOp,
) -> Option<Reply> {
    let focus = op.focus().cloned();
    let result = match (&op, client) {
        (StoreOp::AddEntries { list, refs }, Some(client)) => {
            add_entries(client, &shared.store, list, refs).await
        }
        (StoreOp::Refresh { list, entry }, Some(client)) => {
            add_entries(client, &shared.store, list, std::slice::from_ref(entry))
                .await
                .map(|_| format!("refreshed {entry} from the registry"))
        }
        (_, _) if op.needs_network() => return None,
        _ => {
            let store = shared.store.clone();
            tokio::task::spawn_blocking(move || store_op(&store, op))
                .await
                .unwrap_or_else(|e| Err(format!("the store operation failed: {e}")))
        }
    };
    let store = shared.store.clone();
    let rows = tokio::task::spawn_blocking(move || draft_rows(&store))
        .await
        .unwrap_or_else(|e| Err(format!("reading the local lists failed: {e}")));
    Some(match (result, rows) {
        (Ok(note), Ok(rows)) => Reply::Drafts {
            rows,
            focus,
            note: Some(note),
        },
        (Err(e), _) | (Ok(_), Err(e)) => Reply::Failed(e),
    })
}

/// Every list of the store as editor rows, each under the name the store gives it.
pub(crate) fn draft_rows(store: &Store) -> Result<Vec<DraftRow>, String> {
    let lists = store
        .lists()
        .map_err(|e| format!("reading the local lists failed: {e}"))?;
    Ok(lists
        .into_iter()
        .map(|l| DraftRow {
            dir_name: l.dir_name,
            draft: l.draft.map_err(|e| e.to_string()),
        })
        .collect())
}

/// `create --amend LIST REFS...`; the note says what was added.
async fn add_entries(
    client: &Client,
    store: &Store,
    list: &Reference,
    refs: &[Reference],
) -> Result<String, String> {
    let opts = ops::CreateOptions {
        amend: true,
        ..Default::default()
    };
    let r = ops::create(client, store, list, refs, opts, ops::no_progress())
        .await
        .map_err(|e| e.to_string())?;
    let mut note = format!(
        "{} entr{} added to {}",
        r.added.len(),
        if r.added.len() == 1 { "y" } else { "ies" },
        r.list
    );
    if !r.skipped.is_empty() {
        note.push_str(&format!(" ({} attestations left out)", r.skipped.len()));
    }
    Ok(note)
}

/// A store change that needs no network; the note says what was done.
pub(crate) fn store_op(store: &Store, op: StoreOp) -> Result<String, String> {
    let err = |e: ops::OpError| e.to_string();
    match op {
        StoreOp::New { list, format } => {
            let list = ops::new_list(store, &list, format).map_err(err)?;
            Ok(format!("created {list}; add entries with a"))
        }
        StoreOp::Annotate { list, entry, opts } => {
            let e = ops::annotate(store, &list, &entry, &opts).map_err(err)?;
            Ok(format!(
                "saved {} ({})",
                e.reference,
                e.platform().display()
            ))
        }
        StoreOp::RemoveEntry { list, entry } => {
            let e = ops::remove_entry(store, &list, &entry).map_err(err)?;
            Ok(format!("removed {} from {list}", e.reference))
        }
        StoreOp::SetFormat { list, format } => {
            ops::set_format(store, &list, format).map_err(err)?;
            Ok(format!(
                "{list} will be pushed as {}",
                match format {
                    Some(Format::Oci) => "an OCI index",
                    Some(Format::Docker) => "a Docker manifest list",
                    None => "docker's choice (the first entry's family)",
                }
            ))
        }
        StoreOp::Rename { from, to } => {
            Ok(match ops::rename_list(store, &from, &to).map_err(err)? {
                ops::Renamed::Moved(to) => format!("renamed {from} to {to}"),
                ops::Renamed::Retargeted(to) => format!("the list's target is now {to}"),
                ops::Renamed::Unchanged(to) => format!("{to} unchanged"),
            })
        }
        StoreOp::Delete { list } => {
            store.remove(&list).map_err(|e| e.to_string())?;
            Ok(format!("deleted the local list {list}"))
        }
        StoreOp::AddEntries { .. } | StoreOp::Refresh { .. } => {
            Err("adding entries needs the registry client".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::reference::Reference;
    use crate::store::Format;
    use crate::store::Store;
    use crate::tui::state::Load;
    use crate::tui::test_fixtures::{six, HOST};
    use crate::tui::worker;
    use crate::tui::worker::StoreOp;

    #[test]
    fn store_ops_new_rename_format_delete() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::at(dir.path().join("manifests"));
        let a = Reference::parse(&format!("{HOST}/a:v1")).expect("ref");
        let b = Reference::parse(&format!("{HOST}/b:v1")).expect("ref");
        worker::store_op(
            &store,
            StoreOp::New {
                list: a.clone(),
                format: Format::Oci,
            },
        )
        .expect("new");
        assert!(worker::store_op(
            &store,
            StoreOp::New {
                list: a.clone(),
                format: Format::Oci
            }
        )
        .is_err());
        // Put entries in it, then rename: entries and format follow.
        let d = six();
        store
            .update(&a, |cur| {
                let mut cur = cur.expect("exists");
                cur.entries = d.entries.clone();
                Ok::<_, crate::store::StoreError>((cur, ()))
            })
            .expect("update");
        worker::store_op(
            &store,
            StoreOp::Rename {
                from: a.clone(),
                to: b.clone(),
            },
        )
        .expect("rename");
        assert!(!store.exists(&a));
        let loaded = store.load(&b).expect("b");
        assert_eq!(loaded.entries.len(), 6);
        assert_eq!(loaded.meta.format, Some(Format::Oci));
        worker::store_op(
            &store,
            StoreOp::SetFormat {
                list: b.clone(),
                format: None,
            },
        )
        .expect("format");
        assert_eq!(store.load(&b).expect("b").meta.format, None);
        let rows = worker::draft_rows(&store).expect("rows");
        assert_eq!(rows.len(), 1);
        worker::store_op(&store, StoreOp::Delete { list: b.clone() }).expect("delete");
        assert!(worker::draft_rows(&store).expect("rows").is_empty());
        let _ = Load::Done;
    }
}
