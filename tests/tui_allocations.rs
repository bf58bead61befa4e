//! What one keystroke of the browser's filter costs over 100,000 tags, in passes and
//! allocations. Its own test binary: it installs a counting global allocator, which the
//! library's unit tests should not run under.

use manifest_tui::reference::Reference;
use manifest_tui::tui::keymap::Action;
use manifest_tui::tui::pane::Ctx;
use manifest_tui::tui::state::browser::BrowserState;
use manifest_tui::tui::worker::{Reply, Slot};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const HOST: &str = "127.0.0.1:5000";

fn press(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    press(KeyCode::Char(c))
}

/// Allocations made on the current thread (count, bytes): what a keystroke allocates,
/// whatever the other tests of this binary do meanwhile.
mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static MADE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }

    fn count(bytes: usize) {
        let _ = MADE.try_with(|m| {
            let (n, b) = m.get();
            m.set((n + 1, b + bytes as u64));
        });
    }

    pub struct Counting;

    // SAFETY: every call is passed to the system allocator unchanged; counting touches only
    // a const-initialised thread-local cell (no allocation, no destructor).
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            System.alloc(layout)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            System.alloc_zeroed(layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size);
            System.realloc(ptr, layout, new_size)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout)
        }
    }

    /// (allocations, bytes) made on this thread so far.
    pub fn made() -> (u64, u64) {
        MADE.with(Cell::get)
    }
}

#[global_allocator]
static ALLOCATOR: allocations::Counting = allocations::Counting;

/// Filtering 100,000 tags as the user types and erases, one keystroke at a time through the
/// browser's filter field, costs what the design says, in counts (the time it takes is a
/// benchmark: `cargo bench --bench tui`, "filter 100,000 tags"): every keystroke is one pass
/// over the tags' texts, looking at each tag at most once (one candidate per tag holding the
/// term's first letter), and allocates at most one index per tag plus a few small strings:
/// nothing per tag, nothing that grows with the typing.
#[test]
fn filtering_100000_tags_is_one_pass_a_keystroke() {
    const TAGS: usize = 100_000;
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    let repo = Reference::parse(&format!("{HOST}/samples/app")).expect("reference");
    s.start(None, Some(&repo), &mut ctx);
    let tags = (0..TAGS)
        .map(|i| format!("1.{}.{}-build{i:05}", i / 100, i % 100))
        .collect();
    s.reply(Slot::Tags, Reply::TagsPage { tags, done: true }, &ctx);
    assert_eq!(s.tags.len(), TAGS);
    s.action(Action::Filter, &mut ctx);
    assert!(s.field_focused());
    let typed = "build0999";
    let mut keys: Vec<KeyEvent> = typed.chars().map(ch).collect();
    keys.extend(typed.chars().map(|_| press(KeyCode::Backspace)));
    let mut worst = (0u64, 0u64);
    for (k, key) in keys.iter().enumerate() {
        let before = s.tags.work();
        let made = allocations::made();
        s.field_key(key, &ctx);
        let after = allocations::made();
        let work = s.tags.work();
        let (allocs, bytes) = (after.0 - made.0, after.1 - made.1);
        worst = (worst.0.max(allocs), worst.1.max(bytes));
        let filter = s.tags.filter().to_string();
        assert_eq!(
            work.passes - before.passes,
            1,
            "key {k} ({filter:?}): one pass"
        );
        // Every tag holds one `b` (the first letter of every term typed): one candidate each
        // while a term is typed, none for the empty filter.
        let want = if filter.is_empty() { 0 } else { TAGS as u64 };
        assert_eq!(
            work.candidates - before.candidates,
            want,
            "key {k} ({filter:?}): each tag looked at once"
        );
        assert!(
            allocs <= 32,
            "key {k} ({filter:?}): {allocs} allocations for one keystroke (nothing per tag)"
        );
        assert!(
            bytes <= (TAGS * std::mem::size_of::<usize>()) as u64 + 64 * 1024,
            "key {k} ({filter:?}): {bytes} bytes allocated, more than one index per tag"
        );
    }
    assert_eq!(s.tags.filter(), "");
    assert_eq!(s.tags.len(), TAGS);
    // Each keystroke really filtered: the whole term leaves ten.
    for key in typed.chars().map(ch) {
        s.field_key(&key, &Ctx::default());
    }
    assert_eq!(s.tags.len(), 10, "build09990 to build09999");
    println!(
        "filter {TAGS} tags: one pass a keystroke; at most {} allocations, {} bytes",
        worst.0, worst.1
    );
}
