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
    use manifest_tui::store::list_readings;
    // Names docker's directory naming writes in one way only.
    for name in [
        "127.0.0.1:36379/e2e:v1",
        "docker.io/library/busybox:latest",
        "example.com/app:1.0",
        "127.0.0.1:5000/app:v1_rc",
        "[::1]:5000/app:v1",
        "127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ] {
        let r = Reference::parse(name).unwrap();
        assert_eq!(list_readings(&r.store_name()), vec![r], "{name}");
    }
}

#[test]
fn every_reading_of_an_ambiguous_directory_name_is_offered() {
    use manifest_tui::store::list_readings;
    let readings = |dir: &str| -> Vec<String> {
        let rs = list_readings(dir);
        for r in &rs {
            assert_eq!(r.store_name(), dir, "{r} maps back");
        }
        rs.iter().map(Reference::to_string).collect()
    };
    // A dashed tag: `-` stands for `:` and `-`, `_` for `/` and `_`.
    assert_eq!(
        readings("127.0.0.1-5000_rc_app-v1-rc"),
        [
            "127.0.0.1:5000/rc/app-v1:rc",
            "127.0.0.1:5000/rc_app-v1:rc",
            "127.0.0.1:5000/rc/app:v1-rc",
            "127.0.0.1:5000/rc_app:v1-rc",
        ]
    );
    assert_eq!(
        readings("localhost-5000_a-b-v1"),
        ["localhost:5000/a-b:v1", "localhost:5000/a:b-v1"]
    );
    // Docker Hub's one-component names get `library/`, so `library_busybox` is only that.
    assert_eq!(
        readings("docker.io_library_my-app-1.2-alpine"),
        [
            "docker.io/library/my-app-1.2:alpine",
            "docker.io/library/my-app:1.2-alpine",
            "docker.io/library/my:app-1.2-alpine",
        ]
    );
    // Not a name docker writes: no reading.
    assert!(readings("no-domain").is_empty());
    assert!(readings("127.0.0.1-5000_app").is_empty(), "no tag");
    // A long name with many readings stops early, with more than one kept: 2^100 ways to
    // read its underscores, a handful tried.
    use manifest_tui::store::{list_readings_tried, READINGS_TRIED_AT_MOST};
    let long = format!("127.0.0.1-5000_{}a-v1", "a_".repeat(100));
    let n = readings(&long).len();
    assert!(n > 1 && n <= 9, "{n} readings");
    let (_, tried) = list_readings_tried(&long);
    eprintln!("a long ambiguous name: {tried} readings tried");
    assert!(
        tried <= 2 * 9,
        "stops once it knows: {tried} readings tried"
    );
    // Names no reading of which parses give up within a bounded number of tries (2^60
    // candidates, the budget tried).
    let hopeless = format!("127.0.0.1-5000_{}-v1", "a._".repeat(60));
    let hopeless = &hopeless[..hopeless.len().min(255)];
    assert!(readings(hopeless).is_empty());
    let (_, tried) = list_readings_tried(hopeless);
    eprintln!("a hopeless name: {tried} readings tried");
    assert!(tried <= READINGS_TRIED_AT_MOST, "{tried} readings tried");
    assert_eq!(
        tried, READINGS_TRIED_AT_MOST,
        "the budget is what stopped it"
    );
}

fn plain_has_no_problem(l: &manifest_tui::store::ListSummary) -> bool {
    l.draft.as_ref().unwrap().ambiguity_problem().is_none()
}

/// Write a list the way docker does: its directory and entry files, nothing of ours.
fn write_docker_list(store: &Store, dir_name: &str, e: &StoredEntry) {
    let dir = store.root().join(dir_name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(&e.file_name), manifest_tui::store::encode_entry(e)).unwrap();
}

#[test]
fn a_docker_made_list_with_a_dashed_tag_is_ambiguous_until_named() {
    use manifest_tui::store::{ListName, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let e = entry("localhost:5000/x:v1", 1, "amd64");
    write_docker_list(&store, "localhost-5000_app-v1-rc", &e);
    write_docker_list(&store, "localhost-5000_plain-v1", &e);
    let lists = store.lists().unwrap();
    let d = lists[0].draft.as_ref().unwrap();
    let both = ["localhost:5000/app-v1:rc", "localhost:5000/app:v1-rc"];
    assert_eq!(
        d.ambiguous()
            .map(|r| r.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
        Some(both.map(String::from).to_vec())
    );
    assert_eq!(d.shown_name(), both.join(" or "));
    assert!(d
        .ambiguity_problem()
        .unwrap()
        .contains("renaming it in the"));
    assert!(plain_has_no_problem(&lists[1]));
    let plain = lists[1].draft.as_ref().unwrap();
    assert_eq!(plain.meta.name, ListName::Decoded);
    assert_eq!(plain.list.to_string(), "localhost:5000/plain:v1");

    // Named by the caller (as on docker's command line), it is that name, and a change made
    // under it does not record it: the directory could still be the other list.
    let exact = Reference::parse(both[1]).unwrap();
    let d = store.load(&exact).unwrap();
    assert_eq!(
        (d.list.clone(), d.meta.name.clone()),
        (exact.clone(), ListName::Given)
    );
    store
        .update(&exact, |d| {
            let mut d = d.unwrap();
            d.meta.format = Some(manifest_tui::store::Format::Oci);
            Ok::<_, StoreError>((d, ()))
        })
        .unwrap();
    let d = store.lists().unwrap().remove(0).draft.unwrap();
    assert!(d.ambiguous().is_some(), "still ambiguous");
    assert_eq!(d.meta.format, Some(manifest_tui::store::Format::Oci));

    // Recording the exact name settles it; the other reading is then not this list.
    store
        .update(&exact, |d| {
            let mut d = d.unwrap();
            d.meta.name = ListName::Exact;
            Ok::<_, StoreError>((d, ()))
        })
        .unwrap();
    let d = store.lists().unwrap().remove(0).draft.unwrap();
    assert_eq!(
        (d.list.clone(), d.meta.name),
        (exact.clone(), ListName::Exact)
    );
    let other = Reference::parse(both[0]).unwrap();
    let err = store.load(&other).unwrap_err().to_string();
    assert!(
        err.contains(both[0]) && err.contains(&format!("holds {}", both[1])),
        "{err}"
    );
    let err = store.remove(&other).unwrap_err().to_string();
    assert!(err.contains(&format!("holds {}", both[1])), "{err}");
    assert!(store.exists(&exact), "the list is still there");
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
