//! The list cursor every pane uses ([`Cursor`]), and a streamed, filterable, sortable list
//! built on it: the browser's levels. Filtering is incremental (a new page only filters its
//! own items) and keeps the cursor on the same item when it is still visible.

use crate::tui::keymap::Action;
use std::cell::Cell;
use std::cmp::Ordering;

/// The selected row of a list and the first row drawn. The offset is updated while drawing
/// ([`Cursor::scroll_for`]) and only moves when the selection would leave the viewport, so
/// scrolling is stable.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    selected: usize,
    offset: Cell<usize>,
}

impl Cursor {
    /// The rows a page-up/down moves.
    pub(crate) const PAGE: isize = 10;

    /// The selected row.
    pub(crate) fn get(&self) -> usize {
        self.selected
    }

    /// Select row `i` (the caller keeps it inside the list).
    pub(crate) fn set(&mut self, i: usize) {
        self.selected = i;
    }

    /// Back to the first row, scrolled to the top.
    pub(crate) fn reset(&mut self) {
        self.selected = 0;
        self.offset.set(0);
    }

    /// Move by `delta` rows inside a list of `len` rows.
    pub(crate) fn move_by(&mut self, delta: isize, len: usize) {
        self.selected = match len {
            0 => 0,
            n => (self.selected as isize)
                .saturating_add(delta)
                .clamp(0, n as isize - 1) as usize,
        };
    }

    /// Keep the selection inside a list that now has `len` rows.
    pub(crate) fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// The move an action makes: a row, a page, the top or the bottom.
    pub(crate) fn step(action: Action) -> Option<isize> {
        match action {
            Action::Up => Some(-1),
            Action::Down => Some(1),
            Action::PageUp => Some(-Self::PAGE),
            Action::PageDown => Some(Self::PAGE),
            Action::Top => Some(isize::MIN),
            Action::Bottom => Some(isize::MAX),
            _ => None,
        }
    }

    /// Carry out a moving action in a list of `len` rows; false when `action` does not move.
    pub(crate) fn apply(&mut self, action: Action, len: usize) -> bool {
        match Self::step(action) {
            Some(d) => {
                self.move_by(d, len);
                true
            }
            None => false,
        }
    }

    /// The first row to draw in a viewport of `height` rows of a list of `len`, so the
    /// selection is visible.
    pub(crate) fn scroll_for(&self, height: usize, len: usize) -> usize {
        let off = scroll_offset(self.offset.get(), self.selected, height, len);
        self.offset.set(off);
        off
    }
}

/// The first line of a scrolled text (help, a platform's diff) after `action`: a line, a
/// page ([`Cursor::PAGE`]) or the top; `None` when `action` does not scroll. Drawing keeps
/// it within [`last_screenful`].
pub(crate) fn scroll_text(first: usize, action: Action) -> Option<usize> {
    let page = Cursor::PAGE as usize;
    Some(match action {
        Action::Down => first + 1,
        Action::Up => first.saturating_sub(1),
        Action::PageDown => first + page,
        Action::PageUp => first.saturating_sub(page),
        Action::Top => 0,
        _ => return None,
    })
}

/// The farthest a text of `lines` lines scrolls in a view `height` lines tall: its last
/// screenful starts there.
pub(crate) fn last_screenful(lines: usize, height: usize) -> usize {
    lines.saturating_sub(height)
}

/// The text an item is filtered and sorted by.
pub trait ItemText {
    fn text(&self) -> &str;
}

impl ItemText for String {
    fn text(&self) -> &str {
        self
    }
}

#[derive(Clone, Debug, Default)]
pub struct FilterList<T> {
    items: Vec<T>,
    /// Lower-cased texts of all items in one buffer, each followed by a `\n` (a filter term
    /// holds no whitespace, so no match spans two items): a filter is one search over the
    /// buffer, not one per item (at 100,000 items, the per-item calls and cache misses
    /// cost more than the search itself).
    lower: String,
    /// Where each item's text ends in `lower` (it starts after the previous one's `\n`).
    ends: Vec<usize>,
    /// The filter's terms, lower-cased; every term must occur.
    terms: Vec<String>,
    filter: String,
    /// Indices into `items` of the visible items, in display order.
    visible: Vec<usize>,
    /// The cursor's position in `visible`.
    cursor: Cursor,
    /// The work the filter did so far (what a keystroke costs, as counts).
    work: std::cell::Cell<ScanWork>,
}

/// How much work filtering did: passes over the item texts and candidate positions (an
/// occurrence of the first term's first byte) looked at. A keystroke is one pass; a pass looks
/// at no more candidates than the texts have occurrences of that byte, and at most one match
/// per item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanWork {
    pub passes: u64,
    pub candidates: u64,
}

impl<T: ItemText> FilterList<T> {
    pub(crate) fn new() -> Self {
        FilterList {
            items: Vec::new(),
            lower: String::new(),
            ends: Vec::new(),
            terms: Vec::new(),
            filter: String::new(),
            visible: Vec::new(),
            cursor: Cursor::default(),
            work: std::cell::Cell::new(ScanWork::default()),
        }
    }

    /// The filtering work done since the list was made.
    pub fn work(&self) -> ScanWork {
        self.work.get()
    }

    pub fn from_items(items: Vec<T>) -> Self {
        let mut l = Self::new();
        l.extend(items);
        l
    }

    /// Remove every item (the filter stays).
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.lower.clear();
        self.ends.clear();
        self.visible.clear();
        self.cursor.reset();
    }

    /// Append items (a new page); only they are filtered.
    pub(crate) fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for it in items {
            let idx = self.items.len();
            self.push_lower(it.text());
            if self.matches(self.lower_of(idx)) {
                self.visible.push(idx);
            }
            self.items.push(it);
        }
    }

    fn push_lower(&mut self, text: &str) {
        self.lower.push_str(&text.to_lowercase());
        self.ends.push(self.lower.len());
        self.lower.push('\n');
    }

    /// Item `i`'s lower-cased text.
    fn lower_of(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        &self.lower[start..self.ends[i]]
    }

    /// The items the filter lets through, in order: one pass over the buffer jumping from
    /// one occurrence of the first term's first byte to the next (`memchr`), and past the
    /// rest of an item once it matched; the other terms are checked in the items found.
    fn scan(&self) -> Vec<usize> {
        let mut work = self.work.get();
        work.passes += 1;
        self.work.set(work);
        let Some((first, rest)) = self.terms.split_first() else {
            return (0..self.ends.len()).collect();
        };
        let Some((&lead, tail)) = first.as_bytes().split_first() else {
            return (0..self.ends.len()).collect();
        };
        let hay = self.lower.as_bytes();
        // Room for every item: growing by doubling would copy (and fault in) several times.
        let mut out: Vec<usize> = Vec::with_capacity(self.ends.len());
        let (mut i, mut from) = (0, 0);
        let mut candidates = 0u64;
        while let Some(p) = memchr::memchr(lead, &hay[from..]) {
            candidates += 1;
            let at = from + p;
            if !hay[at + 1..].starts_with(tail) {
                from = at + 1;
                continue;
            }
            // The item holding the match (a term holds no `\n`, so it is inside one).
            while self.ends[i] <= at {
                i += 1;
            }
            if rest.is_empty() || {
                let text = self.lower_of(i).as_bytes();
                rest.iter().all(|t| contains(text, t.as_bytes()))
            } {
                out.push(i);
            }
            from = self.ends[i] + 1;
            if from >= hay.len() {
                break;
            }
        }
        work.candidates += candidates;
        self.work.set(work);
        out
    }

    fn matches(&self, lower: &str) -> bool {
        self.terms
            .iter()
            .all(|t| contains(lower.as_bytes(), t.as_bytes()))
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Change the filter; the cursor stays on its item if it is still visible.
    pub fn set_filter(&mut self, filter: &str) {
        if filter == self.filter {
            return;
        }
        let keep = self.selected_index();
        self.filter = filter.to_string();
        self.terms = filter
            .split_whitespace()
            .map(|t| t.to_lowercase())
            .collect();
        self.visible = self.scan();
        self.cursor.reset();
        self.keep_on(keep);
    }

    /// Sort all items; the cursor stays on its item.
    pub(crate) fn sort_by(&mut self, mut cmp: impl FnMut(&T, &T) -> Ordering) {
        let keep = self.selected_index();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| cmp(&self.items[a], &self.items[b]));
        // Rebuild in the new order.
        let mut lower = String::with_capacity(self.lower.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        for &old in &order {
            lower.push_str(self.lower_of(old));
            ends.push(lower.len());
            lower.push('\n');
        }
        self.lower = lower;
        self.ends = ends;
        let mut items: Vec<Option<T>> = std::mem::take(&mut self.items)
            .into_iter()
            .map(Some)
            .collect();
        let mut new_pos = vec![0usize; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_pos[old] = new;
            if let Some(it) = items[old].take() {
                self.items.push(it);
            }
        }
        let keep = keep.map(|k| new_pos[k]);
        self.visible = self.scan();
        self.cursor.set(0);
        self.keep_on(keep);
    }

    /// Put the cursor on item `keep` when it is visible.
    fn keep_on(&mut self, keep: Option<usize>) {
        if let Some(p) = keep.and_then(|k| self.visible.iter().position(|&v| v == k)) {
            self.cursor.set(p);
        }
    }

    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    pub(crate) fn total(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn items(&self) -> &[T] {
        &self.items
    }

    /// The cursor's position among the visible items.
    pub(crate) fn selected(&self) -> usize {
        self.cursor.get()
    }

    fn selected_index(&self) -> Option<usize> {
        self.visible.get(self.cursor.get()).copied()
    }

    pub(crate) fn selected_item(&self) -> Option<&T> {
        self.selected_index().map(|i| &self.items[i])
    }

    /// Put the cursor on the first visible item whose text equals `text`.
    pub(crate) fn select_text(&mut self, text: &str) -> bool {
        match self
            .visible
            .iter()
            .position(|&i| self.items[i].text() == text)
        {
            Some(p) => {
                self.cursor.set(p);
                true
            }
            None => false,
        }
    }

    pub(crate) fn move_by(&mut self, delta: isize) {
        self.cursor.move_by(delta, self.visible.len());
    }

    /// The visible items from `start`, `count` of them, with their display position.
    pub(crate) fn window(&self, start: usize, count: usize) -> impl Iterator<Item = (usize, &T)> {
        self.visible
            .iter()
            .enumerate()
            .skip(start)
            .take(count)
            .map(|(pos, &i)| (pos, &self.items[i]))
    }

    /// The first row to draw in a viewport of `height` rows so the cursor is visible; the
    /// offset only moves when the cursor would leave the viewport.
    pub(crate) fn scroll_for(&self, height: usize) -> usize {
        self.cursor.scroll_for(height, self.visible.len())
    }
}

/// Whether `needle` occurs in `hay`: `memchr` to each place its first byte occurs, then a
/// comparison (for a list item's few dozen bytes, faster than setting up a searcher).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut from = 0;
    while let Some(p) = memchr::memchr(first, &hay[from..]) {
        let at = from + p + 1;
        if hay[at..].starts_with(rest) {
            return true;
        }
        from = at;
    }
    false
}

/// Keep `selected` inside `[offset, offset + height)`, moving `offset` as little as possible.
fn scroll_offset(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return 0;
    }
    let mut off = offset.min(len.saturating_sub(height));
    if selected < off {
        off = selected;
    } else if selected >= off + height {
        off = selected + 1 - height;
    }
    off
}

/// Compare tags "naturally": digit runs compare as numbers (`v2` < `v10`).
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (da, db) = (&a[..na], &b[..nb]);
                let ta = trim_zeros(da);
                let tb = trim_zeros(db);
                let ord = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then(na.cmp(&nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z..]
}

#[cfg(test)]
mod tests {
    use crate::tui::state::list::natural_cmp;
    use crate::tui::state::list::FilterList;
    use crate::tui::test_fixtures::{self as fixtures};

    #[test]
    fn filter_as_you_type_keeps_the_cursor_on_its_item() {
        let mut l = FilterList::from_items(fixtures::repo_names(1000));
        l.move_by(20);
        let before = l.selected_item().cloned();
        l.set_filter("team-3");
        assert_eq!(l.selected_item().cloned(), before);
        assert!(l.len() < l.total());
        l.set_filter("TEAM-3/ 0002");
        assert!(l
            .window(0, 100)
            .all(|(_, s)| s.contains("team-3/") && s.contains("0002")));
        l.set_filter("");
        assert_eq!(l.len(), 1000);
        // New pages are filtered as they arrive.
        l.set_filter("zzz");
        l.extend(["zzz/new".to_string(), "aaa/new".to_string()]);
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn natural_tag_order() {
        let mut v = vec!["v10", "v2", "v1", "v1.10", "v1.9", "latest"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["latest", "v1", "v1.9", "v1.10", "v2", "v10"]);
    }
}
