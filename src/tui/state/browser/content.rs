//! What the browser shows of one manifest, as a value: the reference, its content, the
//! row selected, what is inside each entry of a list, the statements of a platform's
//! attestations, and the referrers panel. Opening a referrer pushes the view on the trail;
//! Back pops it, as it was, without asking the registry again.

use super::super::image::{image_rows, ImageRow};
use super::super::list::Cursor;
use super::super::referrers::{referrer_rows, ReferrerRow};
use super::super::Remote;
use super::BrowserState;
use crate::media::Descriptor;
use crate::ops::StatementLayer;
use crate::reference::Reference;
use crate::tui::keymap::Action;
use crate::tui::pane::{AppEvent, Ctx, EditorItem};
use crate::tui::worker::{Command, Content, EntryDetails, Reply, Slot};

/// One manifest on screen and everything asked about it.
#[derive(Clone, Debug)]
pub struct ContentView {
    /// The reference whose content is shown.
    pub(crate) shown: Reference,
    pub(crate) content: Remote<Content>,
    /// Cursor in the content table (entries of a list, rows of an image).
    pub(crate) sel: Cursor,
    /// What is inside each entry of the list shown, one result per entry.
    pub(crate) details: Remote<Vec<EntryDetails>>,
    /// The statements of the attestations of the platform shown (opened from its list).
    pub(crate) statements: Remote<Vec<StatementLayer>>,
    /// The list and attestation entries the statements are asked for, to ask again.
    pub(crate) statements_of: Option<(Reference, Vec<Descriptor>)>,
    /// The panel of what refers to the manifest shown, while open: its row.
    pub(crate) panel: Option<Cursor>,
}

impl ContentView {
    /// A view of `shown` whose content is not asked yet.
    pub(crate) fn new(shown: Reference) -> Self {
        ContentView {
            shown,
            content: Remote::default(),
            sel: Cursor::default(),
            details: Remote::default(),
            statements: Remote::default(),
            statements_of: None,
            panel: None,
        }
    }

    /// A view of `shown` with its content asked for.
    pub(crate) fn ask(shown: Reference, ctx: &mut Ctx) -> Self {
        ctx.cancel(Slot::Details);
        ctx.cancel(Slot::Statements);
        ctx.request(
            Slot::Content,
            Command::Inspect {
                reference: shown.clone(),
            },
        );
        let mut v = ContentView::new(shown);
        v.content = Remote::asked();
        v
    }

    pub(crate) fn content(&self) -> Option<&Content> {
        self.content.value()
    }

    /// Once a list is on screen, ask for what is inside all of its entries in one request
    /// (the worker fetches them concurrently); keys are never blocked meanwhile.
    pub(crate) fn fetch_details(&mut self, ctx: &mut Ctx) {
        let Some(c) = self.content.value() else {
            return;
        };
        if c.image.is_some() || !self.details.is_idle() || c.inspection.entries.is_empty() {
            return;
        }
        let entries = c
            .inspection
            .entries
            .iter()
            .map(|e| e.descriptor.clone())
            .collect();
        let list = c.inspection.reference.clone();
        self.details = Remote::asked();
        ctx.request(Slot::Details, Command::Details { list, entries });
    }

    /// Ask for the statements of a platform's attestation entries, in one request.
    pub(crate) fn request_statements(
        &mut self,
        list: Reference,
        attestations: Vec<Descriptor>,
        ctx: &mut Ctx,
    ) {
        self.statements = Remote::asked();
        self.statements_of = Some((list.clone(), attestations.clone()));
        ctx.request(Slot::Statements, Command::Statements { list, attestations });
    }

    /// Back on screen from the trail: what had not arrived yet is asked for again.
    pub(crate) fn resume(&mut self, ctx: &mut Ctx) {
        ctx.cancel(Slot::Statements);
        self.details.cancelled();
        if self.statements.busy() {
            if let Some((list, atts)) = self.statements_of.clone() {
                self.request_statements(list, atts, ctx);
            }
        }
        self.fetch_details(ctx);
    }

    /// The manifest asked again; the panel stays where it was, the statements are asked
    /// again with it.
    pub(crate) fn reload(self, ctx: &mut Ctx) -> Self {
        let mut v = ContentView::ask(self.shown, ctx);
        v.panel = self.panel;
        if let Some((list, atts)) = self.statements_of {
            v.request_statements(list, atts, ctx);
        }
        v
    }

    /// A current reply for the content, details or statements slot.
    pub(crate) fn reply(&mut self, slot: Slot, reply: Reply) {
        match (slot, reply) {
            (Slot::Content, Reply::Inspected(c)) => {
                self.content = Remote::arrived(*c);
                self.sel.set(0);
            }
            (Slot::Content, Reply::Referrers(r)) => {
                if let Some(c) = self.content.value_mut() {
                    c.referrers = Some(r);
                }
            }
            (Slot::Details, Reply::Details(d)) => self.details = Remote::arrived(d),
            (Slot::Statements, Reply::Statements(v)) => self.statements = Remote::arrived(v),
            (Slot::Content, Reply::Failed(m)) => self.content = Remote::failed(m),
            (Slot::Details, Reply::Failed(m)) => self.details = Remote::failed(m),
            (Slot::Statements, Reply::Failed(m)) => self.statements = Remote::failed(m),
            _ => {}
        }
    }

    /// The rows of the list shown: each entry that is not a BuildKit attestation, with the
    /// attestation entries describing it (they are not rows of their own); attestations
    /// whose image is not in the list stay rows.
    pub(crate) fn list_rows(&self) -> Vec<(usize, Vec<usize>)> {
        let Some(c) = self.content() else {
            return Vec::new();
        };
        let descriptors: Vec<_> = c
            .inspection
            .entries
            .iter()
            .map(|e| e.descriptor.clone())
            .collect();
        let g = crate::attest::group(&descriptors);
        let mut rows = g.images;
        rows.extend(g.orphans.into_iter().map(|i| (i, Vec::new())));
        rows.sort_by_key(|(i, _)| *i);
        rows
    }

    /// The entry of the list row selected.
    pub(crate) fn selected_entry(&self) -> Option<&crate::ops::InspectEntry> {
        let i = self.list_rows().get(self.sel.get())?.0;
        self.content()?.inspection.entries.get(i)
    }

    /// The rows of the image shown, when its config file is there.
    pub(crate) fn image_rows(&self) -> Option<Vec<ImageRow>> {
        let inside = self.content()?.inside.as_ref()?;
        Some(image_rows(
            inside,
            self.statements.value().map(Vec::as_slice),
            self.statements.load(),
        ))
    }

    /// Number of rows in the content table.
    pub(crate) fn rows(&self) -> usize {
        if let Some(rows) = self.image_rows() {
            return rows.len();
        }
        match self.content() {
            Some(c) => match &c.image {
                Some(img) => img.manifest.layers.len(),
                None => self.list_rows().len(),
            },
            None => 0,
        }
    }

    /// The selected entry of a list, as the image to open, with the attestation entries
    /// describing it (their statements are asked for with it).
    pub(crate) fn entry_to_open(&self) -> Option<(Reference, Reference, Vec<Descriptor>)> {
        let c = self.content()?;
        if c.image.is_some() {
            return None;
        }
        let e = self.selected_entry()?;
        let atts = self
            .list_rows()
            .get(self.sel.get())
            .map(|(_, a)| {
                a.iter()
                    .map(|&j| c.inspection.entries[j].descriptor.clone())
                    .collect()
            })
            .unwrap_or_default();
        Some((
            self.shown.at_digest(&e.descriptor.digest),
            c.inspection.reference.clone(),
            atts,
        ))
    }

    /// The referrers of the manifest shown, once they are there.
    pub(crate) fn referrers(&self) -> Vec<ReferrerRow> {
        match self.content().and_then(|c| c.referrers.as_ref()) {
            Some(Ok(r)) => referrer_rows(r),
            _ => Vec::new(),
        }
    }

    /// True while the manifest shown, or what refers to it, is still on its way.
    pub(crate) fn referrers_pending(&self) -> bool {
        self.content.busy() || self.content().is_some_and(|c| c.referrers.is_none())
    }

    /// True while anything shown is on its way.
    pub(crate) fn busy(&self) -> bool {
        self.content.busy()
            || self.details.busy()
            || self.statements.busy()
            || (self.panel.is_some() && self.referrers_pending())
    }

    /// What the draft editor gets: the image shown, or the list entry selected.
    pub(crate) fn editor_item(&self) -> Option<EditorItem> {
        let c = self.content()?;
        if c.image.is_some() {
            return Some(EditorItem {
                reference: self.shown.clone(),
                descriptor: None,
            });
        }
        let e = self.selected_entry()?;
        Some(EditorItem {
            reference: e.reference.clone(),
            descriptor: Some(e.descriptor.clone()),
        })
    }

    /// The digest of the row selected: a layer's, an entry's, else the manifest's.
    pub(crate) fn selected_digest(&self) -> Option<String> {
        let c = self.content()?;
        let manifest = || c.inspection.manifest.digest.to_string();
        if let Some(rows) = self.image_rows() {
            return Some(match rows.get(self.sel.get()) {
                Some(ImageRow::Layer { digest, .. }) => digest.to_string(),
                _ => manifest(),
            });
        }
        match &c.image {
            Some(img) => Some(
                img.manifest
                    .layers
                    .get(self.sel.get())
                    .map(|l| l.digest.to_string())
                    .unwrap_or_else(manifest),
            ),
            None => Some(self.selected_entry()?.descriptor.digest.to_string()),
        }
    }
}

impl BrowserState {
    /// The referrers of the manifest shown, once they are there.
    pub(crate) fn referrers_shown(&self) -> Vec<ReferrerRow> {
        self.view
            .as_ref()
            .map(ContentView::referrers)
            .unwrap_or_default()
    }

    /// Keys of the referrers panel.
    pub(super) fn referrers_action(&mut self, action: Action, ctx: &mut Ctx) -> bool {
        let rows = self.referrers_shown();
        let Some(sel) = self.view.as_mut().and_then(|v| v.panel.as_mut()) else {
            return false;
        };
        if sel.apply(action, rows.len()) {
            return true;
        }
        let row = rows.get(sel.get());
        match action {
            Action::Close => {
                if let Some(v) = &mut self.view {
                    v.panel = None;
                }
            }
            Action::Open => {
                if let Some(d) = row.map(|r| r.digest.clone()) {
                    self.open_referrer(&d, ctx);
                }
            }
            Action::CopyDigest => match row {
                Some(r) => ctx.emit(AppEvent::Copy(r.digest.to_string())),
                None => return false,
            },
            Action::Refresh => self.reload_content(ctx),
            _ => return false,
        }
        true
    }

    /// Open a referrer of the manifest shown (a manifest of the same repository) as the
    /// content; the view shown goes on the trail for Back.
    pub(super) fn open_referrer(&mut self, digest: &crate::digest::Digest, ctx: &mut Ctx) {
        let Some(v) = self.view.take() else {
            return;
        };
        let r = v.shown.at_digest(digest);
        self.trail.push(v);
        self.view = Some(ContentView::ask(r, ctx));
    }
}
