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
use manifest_tui::tui::pane::{Ctx, View};
use manifest_tui::tui::panes::browser;
use manifest_tui::tui::state::browser::BrowserState;
use manifest_tui::tui::state::list::FilterList;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::{Content, Reply, Slot};
use mt_testkit::samples;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

const HOST: &str = "127.0.0.1:5000";

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

/// A browser started on `samples/app` (the tags level), its `n` tags arrived.
fn browser_with_tags(n: usize) -> BrowserState {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    let repo = Reference::parse(&format!("{HOST}/samples/app")).expect("reference");
    s.start(None, Some(&repo), &mut ctx);
    s.reply(
        Slot::Tags,
        Reply::TagsPage {
            tags: tags(n),
            done: true,
        },
        &ctx,
    );
    s
}

/// A browser started on `samples/app:v1`, shown as a list of `entries` platforms (the
/// sample list's, repeated).
fn browser_with_list(entries: usize) -> BrowserState {
    let l = samples::list("v1", false);
    let mut content = list_content(&l.reference(), &l.manifest, l.media_type);
    let base = content.inspection.entries.clone();
    content.inspection.entries = (0..entries).map(|i| base[i % base.len()].clone()).collect();
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    let tag = Reference::parse(&format!("{HOST}/samples/app:v1")).expect("reference");
    s.start(None, Some(&tag), &mut ctx);
    let tags = ["v1", "v1-oci", "v2", "v2-oci"].map(String::from).to_vec();
    s.reply(Slot::Tags, Reply::TagsPage { tags, done: true }, &ctx);
    let content = Content::new(content.inspection);
    s.reply(Slot::Content, Reply::Inspected(Box::new(content)), &ctx);
    s
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
