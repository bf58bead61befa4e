//! Drafts, the editor and the push view as the editor's and the push view's tests build them.

use super::{ch, render, HOST};
use crate::ops::EntryStage;
use crate::ops::Progress;
use crate::reference::Reference;
use crate::store::Draft;
use crate::store::StoredEntry;
use crate::tui::keymap::Action;
use crate::tui::pane::Ctx;
use crate::tui::pane::Transfer;
use crate::tui::panes::editor;
use crate::tui::panes::push;
use crate::tui::state::editor::EditorState;
use crate::tui::state::editor::Focus;
use crate::tui::state::editor::Form;
use crate::tui::state::editor::Mode;
use crate::tui::state::push::PushState;
use crate::tui::worker::Command;
use crate::tui::worker::DraftRow;
use crate::tui::worker::Slot;
use crate::tui::worker::ToWorker;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// A six-entry list of the sample images (for tests and snapshots).
pub(crate) fn sample_draft(host: &str, target: &str) -> Draft {
    let entries = mt_testkit::samples::images("v1", false)
        .into_iter()
        .filter_map(|img| {
            let raw = crate::media::RawManifest::new(img.manifest.clone(), img.media_type).ok()?;
            let r = Reference::parse(&format!("{host}/{}", img.reference())).ok()?;
            Some(StoredEntry::new(r, raw, img.platform.clone()))
        })
        .collect::<Vec<_>>();
    let mut entries = entries;
    entries.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Draft {
        list: Reference::parse(&format!("{host}/{target}"))
            .map(Reference::with_default_tag)
            .expect("a valid sample target"),
        entries,
        meta: Default::default(),
    }
}

/// Store rows for tests: each draft as a row.
pub(crate) fn rows_of(drafts: Vec<Draft>) -> Vec<DraftRow> {
    drafts
        .into_iter()
        .map(|d| DraftRow {
            dir_name: d.list.store_name(),
            draft: Ok(d),
        })
        .collect()
}

pub(crate) fn ed(s: &EditorState) -> Terminal<TestBackend> {
    render(120, 22, |f, v| editor::draw(f, f.area(), s, v))
}

pub(crate) fn typed(s: &mut EditorState, text: &str) {
    for c in text.chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
}

pub(crate) fn slot_runs(ctx: &Ctx) -> Vec<(Slot, Command)> {
    ctx.outbox
        .iter()
        .filter_map(|m| match m {
            ToWorker::Run { slot, command, .. } => Some((*slot, command.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn six() -> Draft {
    sample_draft(HOST, "myapp:v1")
}

pub(crate) fn editor_with(drafts: Vec<Draft>) -> EditorState {
    let mut s = EditorState::default();
    s.set_rows(rows_of(drafts), None);
    s
}

pub(crate) fn form_on(s: &mut EditorState, entry: usize) {
    s.focus = Focus::Entries;
    s.entry_sel.set(entry);
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Open, &mut ctx));
    assert!(matches!(s.mode, Mode::Form(_)));
}

pub(crate) fn form(s: &EditorState) -> &Form {
    match &s.mode {
        Mode::Form(f) => f,
        other => panic!("no form: {other:?}"),
    }
}

pub(crate) fn pushing() -> PushState {
    let mut p = PushState::default();
    p.started(&six(), false);
    p.progress(Progress::Entry {
        index: 0,
        stage: EntryStage::Pushed {
            digest: six().entries[0].digest().clone(),
        },
    });
    p.progress(Progress::Entry {
        index: 1,
        stage: EntryStage::Blobs { done: 1, total: 3 },
    });
    p.progress(Progress::Entry {
        index: 2,
        stage: EntryStage::Copying {
            done: 600 * 1024,
            total: 1024 * 1024,
        },
    });
    p.progress(Progress::Entry {
        index: 5,
        stage: EntryStage::InPlace,
    });
    p
}

pub(crate) fn pv(p: &PushState) -> Terminal<TestBackend> {
    render(100, 14, |f, v| push::draw(f, f.area(), p, v))
}

/// The push view with a copy of `src` to `dst` started.
pub(crate) fn copying(
    src: &str,
    dst: &str,
    platforms: Vec<crate::platform::Platform>,
    referrers: bool,
) -> (
    PushState,
    crate::tui::pane::Ctx,
    crate::reference::Reference,
    crate::reference::Reference,
) {
    let src = crate::reference::Reference::parse(src).unwrap();
    let dst = crate::reference::Reference::parse(dst).unwrap();
    let mut p = PushState::default();
    let mut ctx = crate::tui::pane::Ctx::default();
    let job = crate::ops::CopyJob {
        src: src.clone(),
        dst: dst.clone(),
        options: crate::ops::CopyOptions {
            platforms,
            referrers,
        },
    };
    assert!(p.start(Transfer::Copy(job), &mut ctx));
    (p, ctx, src, dst)
}
