//! TUI drawing and filtering at the sizes the targets are set for: a repository of 10,000 tags, a
//! 256-entry list, filtering 10,000 and 100,000 tags per keystroke. Targets: ≤ 2 ms a frame,
//! ≤ 1 ms a keystroke over 10,000 tags, ≤ 2 ms over 100,000 (the test suite asserts the
//! work in counts, `tests/tui_state.rs`; the time is measured here). Run:
//! `cargo bench --bench tui`.

use criterion::{criterion_group, criterion_main, Criterion};
#[path = "../tests/fixtures/mod.rs"]
mod fixtures;
use manifest_tui::tui::keymap::Keymap;
use manifest_tui::tui::pane::View;
use manifest_tui::tui::panes::browser;
use manifest_tui::tui::state::browser::{BrowserState, Level};
use manifest_tui::tui::state::list::FilterList;
use manifest_tui::tui::state::Load;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::Content;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;

fn tags(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("1.{}.{}-build{i:05}", i / 100, i % 100))
        .collect()
}

fn browser_with_tags(n: usize) -> BrowserState {
    let mut s = fixtures::browser_with_content("v1", None, Load::Done);
    s.tags = FilterList::from_items(tags(n));
    s.level = Level::Tags;
    s
}

fn browser_with_list(entries: usize) -> BrowserState {
    let mut content = fixtures::sample_list("v1", false);
    let base = content.inspection.entries.clone();
    content.inspection.entries = (0..entries).map(|i| base[i % base.len()].clone()).collect();
    fixtures::browser_with_content("v1", Some(Content::new(content.inspection)), Load::Done)
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
