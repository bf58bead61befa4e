//! Store files on disk: an arbitrary entry file (or list settings file) inside a store list
//! directory must load or be reported as corrupt, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use manifest_core::reference::Reference;
use manifest_core::store::Store;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    list: Reference,
    entry: PathBuf,
    meta: PathBuf,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("manifest-tui-fuzz-store-")
            .tempdir()
            .expect("fuzz: temp dir");
        let store = Store::open(Some(dir.path()));
        let list = Reference::parse("127.0.0.1:5000/l:v1").expect("fuzz: list reference");
        let list_dir = store.root().join("127.0.0.1-5000_l-v1");
        std::fs::create_dir_all(&list_dir).expect("fuzz: list dir");
        let own = store.root().join(".manifest-tui").join("meta");
        std::fs::create_dir_all(&own).expect("fuzz: meta dir");
        Fixture {
            entry: list_dir.join("127.0.0.1-5000_img-v1"),
            meta: own.join("127.0.0.1-5000_l-v1.json"),
            _dir: dir,
            store,
            list,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    // First byte chooses which file the rest goes to: odd = the list's settings file
    // (with a valid entry missing), even = the entry file.
    let (target, body) = match data.split_first() {
        Some((b, rest)) if b & 1 == 1 => (&f.meta, rest),
        Some((_, rest)) => (&f.entry, rest),
        None => (&f.entry, data),
    };
    let _ = std::fs::remove_file(&f.meta);
    if std::fs::write(target, body).is_err() {
        return;
    }
    match f.store.load(&f.list) {
        Ok(draft) => {
            for e in &draft.entries {
                let _ = e.platform();
                let _ = e.kind();
            }
            // Whatever loads must survive our own write: the bytes we would store for an
            // entry load back as the same entry, and writing that again changes nothing.
            if let [e] = &draft.entries[..] {
                let bytes = manifest_core::store::encode_entry(e);
                let path = f.entry.with_file_name(&e.file_name);
                let _ = std::fs::remove_file(target);
                std::fs::write(&path, &bytes).expect("fuzz: write the re-encoded entry");
                let again = f
                    .store
                    .load(&f.list)
                    .unwrap_or_else(|err| panic!("a re-encoded entry does not load: {err}"));
                assert_eq!(again.entries.len(), 1);
                assert_eq!(&again.entries[0], e, "the re-encoded entry differs");
                assert_eq!(
                    manifest_core::store::encode_entry(&again.entries[0]),
                    bytes,
                    "encoding is not stable"
                );
                let _ = std::fs::remove_file(&path);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Ok(lists) = f.store.lists() {
        for l in lists {
            if let Err(e) = l.draft {
                let _ = e.to_string();
            }
        }
    }
    let _ = std::fs::remove_file(target);
});
