//! The browser's panel of what refers to the manifest shown, over the content: one row per
//! referrer (kind, artifact type, digest, size, created), the selected one's digest and type
//! whole under the rows; while they load, or when asking failed, it says so.

use super::{centered, pane_block};
use crate::digest::Digest;
use crate::registry::Referrers;
use crate::text::{ellipsize, human_size, inert};
use crate::tui::keymap::{Action, Context};
use crate::tui::pane::View;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::list::Cursor;
use crate::tui::state::referrers::{asked_how, via_label, ReferrerRow};
use crate::tui::state::Load;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// Lines under the rows: the selected referrer's whole digest, then its whole type.
const DETAIL_LINES: u16 = 2;

/// Draw the panel over the browser's `area`.
pub(crate) fn draw(frame: &mut Frame, area: Rect, s: &BrowserState, sel: &Cursor, view: &View) {
    let t = view.theme;
    let subject = s.content().map(|c| &c.inspection.manifest.digest);
    let found = s.content().and_then(|c| c.referrers.as_ref());
    let rows = s.referrers_shown();
    let what = subject.map_or_else(|| "it".to_string(), |d| d.short());
    let title = match found {
        Some(Ok(r)) => format!(
            " What refers to {what}: {}, by the {} ",
            rows.len(),
            via_label(r.via)
        ),
        _ => format!(" What refers to {what} "),
    };

    let message = message(s, subject, found, view);

    // The keys of the panel; with no rows, only the one that closes it.
    let hints: Vec<String> = view
        .keymap
        .in_context(Context::Referrers)
        .filter(|b| !b.hint.is_empty() && (message.is_none() || b.action == Action::Close))
        .filter_map(|b| Some(format!("{}: {}", b.keys.first()?, b.hint)))
        .collect();
    let hints = Line::styled(hints.join("   "), t.muted);
    let w = area.width.saturating_sub(4);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let body_h = match &message {
        // Each line as wrapped to the panel's width (with room for the words that wrap
        // early).
        Some(lines) => lines
            .iter()
            .map(|l| l.width().div_ceil(inner_w.saturating_sub(12).max(1)).max(1))
            .sum::<usize>() as u16,
        None => rows.len() as u16 + 1 + DETAIL_LINES,
    };
    let r = centered(area, w, body_h + 1 + 2);
    frame.render_widget(Clear, r);
    let block = pane_block(Line::from(Span::styled(title, t.title)), view, true);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [body, hint_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(hints), hint_area);
    match message {
        Some(lines) => frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body),
        None => draw_rows(frame, body, &rows, sel, view),
    }
}

/// The message the panel shows instead of rows while there are none to show: nothing
/// refers to it (and how that was asked), the question failed, or it is still on its way.
fn message<'a>(
    s: &BrowserState,
    subject: Option<&Digest>,
    found: Option<&Result<Referrers, String>>,
    view: &View,
) -> Option<Vec<Line<'a>>> {
    let t = view.theme;
    match (found, subject) {
        (Some(Ok(r)), Some(d)) if r.descriptors.is_empty() => Some(
            std::iter::once(Line::from("nothing refers to it"))
                .chain(
                    asked_how(r.via, d)
                        .into_iter()
                        .map(|l| Line::styled(l, t.muted)),
                )
                .collect(),
        ),
        (Some(Ok(_)), _) => None,
        (Some(Err(e)), _) => Some(vec![
            Line::styled(
                format!("could not ask what refers to it: {}", inert(e)),
                t.error,
            ),
            Line::styled(
                format!(
                    "{} asks again",
                    view.key(Context::Referrers, Action::Refresh)
                ),
                t.muted,
            ),
        ]),
        (None, Some(d)) => Some(vec![
            Line::from(vec![
                Span::styled(view.spinner().to_string(), t.spinner),
                Span::raw(format!(" asking what refers to {}…", d.short())),
            ]),
            Line::styled(
                "by the registry's referrers API, else by the tag scheme",
                t.muted,
            ),
        ]),
        (None, None) => Some(vec![match s.view.as_ref().map(|v| v.content.load()) {
            Some(Load::Failed(m)) => Line::styled(
                format!("the manifest could not be read: {}", inert(m)),
                t.error,
            ),
            _ => Line::from(vec![
                Span::styled(view.spinner().to_string(), t.spinner),
                Span::raw(" reading the manifest first…"),
            ]),
        }]),
    }
}

/// The table of referrers, and the selected one's whole digest and type under it.
fn draw_rows(frame: &mut Frame, area: Rect, rows: &[ReferrerRow], sel: &Cursor, view: &View) {
    let t = view.theme;
    let detail_h = if area.height > DETAIL_LINES + 1 {
        DETAIL_LINES
    } else {
        0
    };
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(area);
    let types: Vec<String> = rows
        .iter()
        .map(|r| inert(r.artifact_type.as_deref().unwrap_or("-")).into_owned())
        .collect();
    let sizes: Vec<String> = rows.iter().map(|r| human_size(r.size)).collect();
    let created: Vec<String> = rows
        .iter()
        .map(|r| inert(r.created.as_deref().unwrap_or("-")).into_owned())
        .collect();
    let widest = |v: &[String], min: usize| {
        v.iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            .max(min) as u16
    };
    let kinds: Vec<String> = rows.iter().map(|r| inert(&r.kind).into_owned()).collect();
    let (kind_w, size_w, created_w) = (
        widest(&kinds, 4).min(16),
        widest(&sizes, 4),
        widest(&created, 7),
    );
    // Whole digests when they fit beside the whole types, else short ones (the selected
    // row's is whole under the table either way).
    let fixed = kind_w + size_w + created_w + 4;
    let full = table_area.width >= fixed + 71 + widest(&types, 13);
    let digest_w = if full { 71 } else { 19 };
    let type_w = table_area.width.saturating_sub(fixed + digest_w) as usize;
    let h = table_area.height.saturating_sub(1) as usize;
    let off = sel.scroll_for(h, rows.len());
    let table_rows: Vec<Row> = (off..rows.len().min(off + h))
        .map(|i| {
            let r = &rows[i];
            let row = Row::new([
                Cell::from(kinds[i].clone()),
                Cell::from(ellipsize(&types[i], type_w).into_owned()),
                Cell::from(if full {
                    r.digest.to_string()
                } else {
                    r.digest.short()
                }),
                Cell::from(sizes[i].clone()),
                Cell::from(created[i].clone()),
            ]);
            super::mark_selected(row, i == sel.get(), view)
        })
        .collect();
    let widths = [
        Constraint::Length(kind_w),
        Constraint::Min(8),
        Constraint::Length(digest_w),
        Constraint::Length(size_w),
        Constraint::Length(created_w),
    ];
    let header = Row::new(["Kind", "Artifact type", "Digest", "Size", "Created"]).style(t.header);
    frame.render_widget(Table::new(table_rows, widths).header(header), table_area);
    if let (true, Some(r)) = (detail_h > 0, rows.get(sel.get())) {
        let lines = vec![
            Line::from(vec![
                Span::styled("digest ", t.muted),
                Span::raw(r.digest.to_string()),
            ]),
            Line::from(vec![
                Span::styled("type ", t.muted),
                Span::raw(types[sel.get()].clone()),
                Span::styled(format!("  ({})", inert(&r.media_type)), t.muted),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            detail_area,
        );
    }
}

#[cfg(test)]
mod tests {

    use crate::tui::test_fixtures::{self as fixtures, browser};

    /// The panel of what refers to the attested list (`R`): one row per referrer with its kind,
    /// artifact type, digest, size and created time; the title says how they were found. At 100
    /// columns the digest is short and the type cut, both whole under the rows; at 160 whole.
    #[test]
    fn referrers_panel_lists_each_referrer() {
        let mut s = fixtures::attested_browser();
        fixtures::view(&mut s)
            .content
            .value_mut()
            .expect("content")
            .referrers = Some(Ok(fixtures::signature_referrers()));
        fixtures::view(&mut s).panel = Some(Default::default());
        let sig = mt_testkit::samples::attest::attested().signature.digest;
        let narrow = browser(100, 16, &s).backend().to_string();
        assert!(
            narrow.contains("What refers to sha256:ef6386dbb60b: 1, by the tag scheme"),
            "{narrow}"
        );
        let row = narrow
            .lines()
            .find(|l| l.contains("signature "))
            .expect("the signature's row");
        assert!(
            row.contains(&sig.short()) && !row.contains(sig.as_str()),
            "{row}"
        );
        assert!(row.contains("2026-11-30T10:05:00Z"), "{row}");
        assert!(
            narrow.contains(&format!("digest {sig}")),
            "whole under the rows:\n{narrow}"
        );
        assert!(
            narrow.contains(&format!(
                "type {}",
                mt_testkit::samples::attest::SIGNATURE_TYPE
            )),
            "{narrow}"
        );
        insta::assert_snapshot!("referrers_panel_100", browser(100, 16, &s).backend());
        let wide = browser(160, 16, &s).backend().to_string();
        let row = wide
            .lines()
            .find(|l| l.contains("signature "))
            .expect("the signature's row");
        assert!(
            row.contains(sig.as_str()) && row.contains(mt_testkit::samples::attest::SIGNATURE_TYPE),
            "whole digest and type in the row at 160 columns: {row}"
        );
        insta::assert_snapshot!("referrers_panel_160", browser(160, 16, &s).backend());
    }

    /// The panel before the referrers arrive, when asking failed, and when nothing refers to the
    /// manifest: it says so (and how it asked), and never blocks.
    #[test]
    fn referrers_panel_loading_failed_and_empty() {
        let mut s = fixtures::attested_browser();
        fixtures::view(&mut s).panel = Some(Default::default());
        let loading = browser(100, 12, &s).backend().to_string();
        assert!(
            loading.contains("asking what refers to sha256:ef6386dbb60b…")
                && loading.contains("by the registry's referrers API, else by the tag scheme"),
            "{loading}"
        );
        insta::assert_snapshot!("referrers_panel_loading", browser(100, 12, &s).backend());

        fixtures::view(&mut s)
            .content
            .value_mut()
            .expect("content")
            .referrers = Some(Err("HTTP 500 from the registry".into()));
        let failed = browser(100, 12, &s).backend().to_string();
        assert!(
            failed.contains("could not ask what refers to it: HTTP 500 from the registry"),
            "{failed}"
        );
        assert!(failed.contains("r asks again"), "{failed}");

        let mut none = fixtures::signature_referrers();
        none.descriptors.clear();
        fixtures::view(&mut s)
            .content
            .value_mut()
            .expect("content")
            .referrers = Some(Ok(none));
        let empty = browser(100, 12, &s).backend().to_string();
        assert!(empty.contains("nothing refers to it"), "{empty}");
        assert!(
            empty.contains("asked by the tag scheme (the registry has no referrers API):")
                && empty.contains(&format!(
                    "nothing under the tag {}",
                    crate::attest::referrers_tag(
                        &mt_testkit::samples::attest::attested().index.digest
                    )
                )),
            "{empty}"
        );
        insta::assert_snapshot!("referrers_panel_empty", browser(100, 12, &s).backend());
    }
}
