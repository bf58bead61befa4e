//! The local store: docker's layout and bytes, atomic writes, locking, corrupt files.

use manifest_tui::digest::Digest;
use manifest_tui::media::{RawManifest, DOCKER_MANIFEST};
use manifest_tui::ops::{self, AnnotateOptions, EntrySelector};
use manifest_tui::platform::Platform;
use manifest_tui::reference::Reference;
use manifest_tui::store::{Draft, ListMeta, Store, StoredEntry};
use std::fs;

fn manifest(n: u8) -> RawManifest {
    let body = format!(
        "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{DOCKER_MANIFEST}\",\n   \"config\": {{\n      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n      \"size\": 10,\n      \"digest\": \"{}\"\n   }},\n   \"layers\": []\n}}",
        Digest::sha256(&[n])
    );
    RawManifest::new(body.into_bytes(), DOCKER_MANIFEST).unwrap()
}

fn entry(r: &str, n: u8, arch: &str) -> StoredEntry {
    StoredEntry::new(
        Reference::parse(r).unwrap().with_default_tag(),
        manifest(n),
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            ..Default::default()
        },
    )
}

fn write_list(store: &Store, list: &str, entries: Vec<StoredEntry>) -> Reference {
    let list = Reference::parse(list).unwrap().with_default_tag();
    store
        .update(&list, |_| {
            Ok::<_, manifest_tui::store::StoreError>((
                Draft {
                    list: list.clone(),
                    entries,
                    meta: ListMeta::default(),
                },
                (),
            ))
        })
        .unwrap();
    list
}

#[test]
fn layout_and_bytes_match_docker() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/mylist:v1",
        vec![entry("127.0.0.1:5101/coolapp-armv7:v1", 1, "arm")],
    );
    let list_dir = dir.path().join("manifests/127.0.0.1-5101_mylist-v1");
    assert!(list_dir.is_dir());
    let file = list_dir.join("127.0.0.1-5101_coolapp-armv7-v1");
    let bytes = fs::read(&file).unwrap();
    // Compact JSON, no trailing newline, docker's key order.
    assert!(!bytes.ends_with(b"\n"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with(
            "{\"Ref\":\"127.0.0.1:5101/coolapp-armv7:v1\",\"Descriptor\":{\"mediaType\":"
        ),
        "{text}"
    );
    let ri = text.find("\"Raw\":").unwrap();
    let si = text.find("\"SchemaV2Manifest\":").unwrap();
    assert!(ri < si);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        fs::metadata(&list_dir).unwrap().permissions().mode() & 0o777,
        0o755
    );
    // Nothing but entries in the list directory (docker reads every file there).
    assert_eq!(fs::read_dir(&list_dir).unwrap().count(), 1);
    let back = store.load(&list).unwrap();
    assert_eq!(back.entries[0].raw, manifest(1));
    assert_eq!(back.entries[0].platform().architecture, "arm");
}

#[test]
fn legacy_file_without_raw_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let m = manifest(7);
    let compact: serde_json::Value = serde_json::from_slice(&m.bytes).unwrap();
    let legacy = serde_json::json!({
        "Ref": "127.0.0.1:5101/old:v1",
        "Digest": m.digest.to_string(),
        "SchemaV2Manifest": compact,
        "Platform": {"architecture": "amd64", "os": "linux"}
    });
    let ld = dir.path().join("manifests/127.0.0.1-5101_list-v1");
    fs::create_dir_all(&ld).unwrap();
    fs::write(ld.join("127.0.0.1-5101_old-v1"), legacy.to_string()).unwrap();
    let d = store
        .load(&Reference::parse("127.0.0.1:5101/list:v1").unwrap())
        .unwrap();
    assert_eq!(
        d.entries[0].raw.bytes, m.bytes,
        "MarshalIndent reconstruction"
    );
    assert_eq!(d.entries[0].platform().architecture, "amd64");
}

#[test]
fn entry_order_is_file_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/l:v1",
        vec![
            entry("127.0.0.1:5101/zeta:v1", 1, "amd64"),
            entry("127.0.0.1:5101/alpha:v1", 2, "arm64"),
        ],
    );
    let d = store.load(&list).unwrap();
    let names: Vec<_> = d.entries.iter().map(|e| e.reference.path.clone()).collect();
    assert_eq!(names, ["alpha", "zeta"]);
}

#[test]
fn corrupt_file_is_named_and_other_lists_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    write_list(
        &store,
        "127.0.0.1:5101/good:v1",
        vec![entry("127.0.0.1:5101/a:v1", 1, "amd64")],
    );
    let bad = write_list(
        &store,
        "127.0.0.1:5101/bad:v1",
        vec![entry("127.0.0.1:5101/b:v1", 2, "amd64")],
    );
    let bad_file = store.list_dir(&bad).join("127.0.0.1-5101_b-v1");
    fs::write(&bad_file, b"{\"Ref\": trunc").unwrap();
    let lists = store.lists().unwrap();
    assert_eq!(lists.len(), 2);
    let errs: Vec<String> = lists
        .iter()
        .filter_map(|l| l.draft.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].contains("127.0.0.1-5101_b-v1"), "{}", errs[0]);
    assert!(lists.iter().any(|l| l.draft.is_ok()));
}

#[test]
fn tampered_raw_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/t:v1",
        vec![entry("127.0.0.1:5101/a:v1", 1, "amd64")],
    );
    let f = store.list_dir(&list).join("127.0.0.1-5101_a-v1");
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&f).unwrap()).unwrap();
    use base64::Engine as _;
    v["Raw"] = base64::engine::general_purpose::STANDARD
        .encode(b"{}")
        .into();
    fs::write(&f, v.to_string()).unwrap();
    let err = store.load(&list).unwrap_err().to_string();
    assert!(err.contains("does not match its digest"), "{err}");
}

#[test]
fn concurrent_annotations_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/c:v1",
        vec![entry("127.0.0.1:5101/a:v1", 1, "amd64")],
    );
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let list = list.clone();
            std::thread::spawn(move || {
                for j in 0..10 {
                    let opts = AnnotateOptions {
                        os_features: vec![format!("f{i}x{j}")],
                        validate: true,
                        ..Default::default()
                    };
                    let sel = EntrySelector::parse("127.0.0.1:5101/a:v1").unwrap();
                    ops::annotate(&store, &list, &sel, &opts).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let d = store.load(&list).unwrap();
    assert_eq!(
        d.entries[0].platform().os_features.len(),
        80,
        "every append survived"
    );
    // No temp files left in the list directory.
    assert_eq!(fs::read_dir(store.list_dir(&list)).unwrap().count(), 1);
}

#[test]
fn annotate_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/e:v1",
        vec![entry("127.0.0.1:5101/a:v1", 1, "amd64")],
    );
    let sel = EntrySelector::parse("127.0.0.1:5101/nope:v1").unwrap();
    let err = ops::annotate(&store, &list, &sel, &AnnotateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("does not exist in 127.0.0.1:5101/e:v1"),
        "{err}"
    );
    let sel = EntrySelector::parse("127.0.0.1:5101/a:v1").unwrap();
    let bad = AnnotateOptions {
        arch: Some("amd46".into()),
        validate: true,
        ..Default::default()
    };
    let err = ops::annotate(&store, &list, &sel, &bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("amd64"), "suggests the closest value: {err}");
    let ann = AnnotateOptions {
        annotations: vec![("k".into(), "v".into())],
        validate: true,
        ..Default::default()
    };
    let err = ops::annotate(&store, &list, &sel, &ann)
        .unwrap_err()
        .to_string();
    assert!(err.contains("OCI index"), "{err}");
    let missing = Reference::parse("127.0.0.1:5101/none:v1").unwrap();
    let err = ops::annotate(&store, &missing, &sel, &AnnotateOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("No such manifest list"), "{err}");
}

#[test]
fn remove_entry_by_platform_and_digest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/r:v1",
        vec![
            entry("127.0.0.1:5101/a:v1", 1, "amd64"),
            entry("127.0.0.1:5101/b:v1", 2, "arm64"),
            entry("127.0.0.1:5101/c:v1", 3, "s390x"),
        ],
    );
    ops::remove_entry(&store, &list, &EntrySelector::parse("linux/arm64").unwrap()).unwrap();
    let d3 = manifest(3).digest;
    ops::remove_entry(
        &store,
        &list,
        &EntrySelector::parse(&d3.as_str()[..19]).unwrap(),
    )
    .unwrap();
    let d = store.load(&list).unwrap();
    assert_eq!(d.entries.len(), 1);
    assert_eq!(d.entries[0].platform().architecture, "amd64");
}

#[test]
fn annotate_normalises_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "127.0.0.1:5101/al:v1",
        vec![entry("127.0.0.1:5101/a:v1", 1, "amd64")],
    );
    let sel = EntrySelector::parse("127.0.0.1:5101/a:v1").unwrap();
    let opts = AnnotateOptions {
        arch: Some("armhf".into()),
        validate: true,
        ..Default::default()
    };
    let e = ops::annotate(&store, &list, &sel, &opts).unwrap();
    assert_eq!(
        (
            e.platform().architecture.as_str(),
            e.platform().variant.as_str()
        ),
        ("arm", "v7")
    );
    let opts = AnnotateOptions {
        arch: Some("aarch64".into()),
        variant: Some("v8".into()),
        validate: true,
        ..Default::default()
    };
    let e = ops::annotate(&store, &list, &sel, &opts).unwrap();
    assert_eq!(e.platform().display(), "linux/arm64/v8");
}

#[test]
fn list_names_come_back_from_directory_names() {
    use manifest_tui::store::list_ref_from_dir_name;
    for name in [
        "127.0.0.1:36379/e2e/down:v1",
        "localhost:5000/a-b/c-d:v1",
        "docker.io/library/busybox:latest",
        "example.com/team/app:1.0",
        "127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ] {
        let r = Reference::parse(name).unwrap();
        assert_eq!(list_ref_from_dir_name(&r.store_name()), Some(r), "{name}");
    }
}

#[test]
fn ambiguous_list_names_are_kept_exactly() {
    // `-` in docker's directory names stands for both `:` and `-`; the store remembers.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let list = write_list(
        &store,
        "localhost:5000/a-b/c-d:v1-rc2",
        vec![entry("localhost:5000/x:v1", 1, "amd64")],
    );
    let lists = store.lists().unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].draft.as_ref().unwrap().list, list);
}
