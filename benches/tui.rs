//! TUI drawing and filtering at the sizes the targets are set for: a repository of 10,000 tags, a
//! 256-entry list, filtering 10,000 and 100,000 tags per keystroke. Targets: ≤ 2 ms a frame,
//! ≤ 1 ms a keystroke over 10,000 tags, ≤ 2 ms over 100,000 (the test suite asserts the
//! work in counts, `tests/tui_allocations.rs`; the time is measured here). Run:
//! `cargo bench --bench tui`.

use criterion::{criterion_group, criterion_main, Criterion};
use manifest_tui::media::{Parsed, RawManifest};
use manifest_tui::ops::{InspectEntry, Inspection};
use manifest_tui::reference::Reference;
use manifest_tui::tui::keymap::Keymap;
use manifest_tui::tui::pane::View;
use manifest_tui::tui::panes::browser;
use manifest_tui::tui::state::browser::ContentView;
use manifest_tui::tui::state::browser::{BrowserState, Level};
use manifest_tui::tui::state::list::FilterList;
use manifest_tui::tui::state::Load;
use manifest_tui::tui::state::Remote;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::Content;
use mt_testkit::samples;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

const HOST: &str = "127.0.0.1:5000";

/// The sample list `samples/app:<release>` (Docker list, or OCI index) as inspected.
fn sample_list(release: &str, oci: bool) -> Content {
    let l = samples::list(release, oci);
    list_content(&l.reference(), &l.manifest, l.media_type)
}

/// A browser showing a tag's content (breadcrumb and tags filled in).
fn browser_with_content(tag: &str, content: Option<Content>, load: Load) -> BrowserState {
    let mut s = BrowserState::new();
    s.registry = Some(HOST.to_string());
    s.catalog.extend(["samples/app".to_string()]);
    s.catalog_load = Load::Done;
    s.repo = Some("samples/app".to_string());
    s.tags.extend([
        "v1".to_string(),
        "v1-oci".to_string(),
        "v2".to_string(),
        "v2-oci".to_string(),
    ]);
    s.tags_load = Load::Done;
    let mut v = ContentView::new(Reference::parse(&format!("{HOST}/samples/app:{tag}")).unwrap());
    v.content = match (content, load) {
        (Some(c), _) => Remote::arrived(c),
        (None, Load::Failed(m)) => Remote::failed(m),
        (None, Load::Idle) => Remote::default(),
        (None, _) => Remote::asked(),
    };
    s.view = Some(v);
    s.level = Level::Content;
    s
}

/// A list or index (`bytes`) as inspected at `reference` (no child fetched).
fn list_content(reference: &str, bytes: &[u8], media_type: &str) -> Content {
    let reference = Reference::parse(&format!("{HOST}/{reference}")).expect("reference");
    let manifest = RawManifest::new(bytes.to_vec(), media_type).expect("list parses");
    let entries = match manifest.parse() {
        Ok(Parsed::Index(idx)) => idx
            .manifests
            .into_iter()
            .map(|d| InspectEntry {
                reference: reference.at_digest(&d.digest),
                descriptor: d,
                manifest: None,
                config: None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Content::new(Inspection {
        reference,
        manifest,
        entries,
        annotations: Default::default(),
    })
}

fn tags(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("1.{}.{}-build{i:05}", i / 100, i % 100))
        .collect()
}

fn browser_with_tags(n: usize) -> BrowserState {
    let mut s = browser_with_content("v1", None, Load::Done);
    s.tags = FilterList::from_items(tags(n));
    s.level = Level::Tags;
    s
}

fn browser_with_list(entries: usize) -> BrowserState {
    let mut content = sample_list("v1", false);
    let base = content.inspection.entries.clone();
    content.inspection.entries = (0..entries).map(|i| base[i % base.len()].clone()).collect();
    browser_with_content("v1", Some(Content::new(content.inspection)), Load::Done)
}

fn bench(c: &mut Criterion) {
    let theme = Theme::colored();
    let keymap = Keymap::default();
    let view = View {
        theme: &theme,
        keymap: &keymap,
        spinner: 0,
    };
    let mut term = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");

    let s = browser_with_tags(10_000);
    c.bench_function("draw browser: 10,000 tags", |b| {
        b.iter(|| {
            term.draw(|f| browser::draw(f, f.area(), black_box(&s), &view))
                .expect("draw");
        })
    });

    let s = browser_with_list(256);
    c.bench_function("draw browser: 256-entry list", |b| {
        b.iter(|| {
            term.draw(|f| browser::draw(f, f.area(), black_box(&s), &view))
                .expect("draw");
        })
    });

    let mut list = FilterList::from_items(tags(10_000));
    let mut flip = false;
    c.bench_function("filter 10,000 tags: one keystroke", |b| {
        b.iter(|| {
            // Alternate between two filters one keystroke apart.
            flip = !flip;
            list.set_filter(if flip { "build0" } else { "build09" });
            black_box(list.len());
        })
    });

    let mut list = FilterList::from_items(tags(100_000));
    let mut flip = false;
    c.bench_function("filter 100,000 tags: one keystroke", |b| {
        b.iter(|| {
            flip = !flip;
            list.set_filter(if flip { "build0" } else { "build09" });
            black_box(list.len());
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
