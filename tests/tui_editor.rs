//! The draft editor and push view: snapshots on a fixed-size `TestBackend`, and state
//! transitions without a runtime.

mod fixtures;

use fixtures::{rows_of, sample_draft};
use manifest_tui::digest::Digest;
use manifest_tui::ops::{EntrySelector, EntryStage, Progress, PushReport, PushedEntry};
use manifest_tui::reference::Reference;
use manifest_tui::store::{Draft, Format, Store};
use manifest_tui::tui::keymap::{Action, Keymap};
use manifest_tui::tui::pane::{AppEvent, Ctx, EditorItem, PaneId, Transfer, View};
use manifest_tui::tui::panes::{editor, push};
use manifest_tui::tui::state::editor::{problems, EditorState, Focus, Form, Mode, PromptKind};
use manifest_tui::tui::state::push::{PushState, PushStatus};
use manifest_tui::tui::state::Load;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::{self, Command, Reply, Slot, StoreOp, ToWorker};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

const HOST: &str = "127.0.0.1:5000";

fn render(w: u16, h: u16, f: impl FnOnce(&mut ratatui::Frame, &View)) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    let theme = Theme::colored();
    let keymap = Keymap::default();
    let view = View {
        theme: &theme,
        keymap: &keymap,
        spinner: 0,
    };
    term.draw(|frame| f(frame, &view)).expect("draw");
    term
}

fn ed(s: &EditorState) -> Terminal<TestBackend> {
    render(120, 22, |f, v| editor::draw(f, f.area(), s, v))
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn typed(s: &mut EditorState, text: &str) {
    for c in text.chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
}

fn runs(ctx: &Ctx) -> Vec<(Slot, Command)> {
    ctx.outbox
        .iter()
        .filter_map(|m| match m {
            ToWorker::Run { slot, command, .. } => Some((*slot, command.clone())),
            _ => None,
        })
        .collect()
}

fn six() -> Draft {
    sample_draft(HOST, "myapp:v1")
}

fn editor_with(drafts: Vec<Draft>) -> EditorState {
    let mut s = EditorState::default();
    s.set_rows(rows_of(drafts), None);
    s
}

#[test]
fn editor_empty_store() {
    let s = editor_with(vec![]);
    let t = ed(&s);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("Local lists (0)")
            && screen.contains("No local lists.")
            && screen.contains("n: new Docker list")
            && screen.contains("N: new OCI index"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn editor_six_entry_draft() {
    let mut other = six();
    other.list = Reference::parse(&format!("{HOST}/other:v2")).expect("ref");
    other.entries.truncate(2);
    other.meta.format = Some(Format::Oci);
    let mut s = editor_with(vec![six(), other]);
    s.focus = Focus::Entries;
    s.entry_sel.set(2);
    let t = ed(&s);
    let screen = t.backend().to_string();
    let line = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{screen}"))
            .to_string()
    };
    assert!(
        line(&format!("{HOST}/myapp:v1  ")).contains("6 dkr"),
        "{screen}"
    );
    assert!(
        line(&format!("{HOST}/other:v2  ")).contains("2 oci"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{HOST}/myapp:v1 docker (auto) · 6 entries")),
        "{screen}"
    );
    // Every entry on its own row, with its platform and short digest.
    for e in &six().entries {
        let label = e.platform().display();
        assert!(
            line(&format!("  {label}  ")).contains(&e.digest().short()),
            "{label}: {screen}"
        );
    }
    insta::assert_snapshot!(t.backend());
}

fn form_on(s: &mut EditorState, entry: usize) {
    s.focus = Focus::Entries;
    s.entry_sel.set(entry);
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Open, &mut ctx));
    assert!(matches!(s.mode, Mode::Form(_)));
}

fn form(s: &EditorState) -> &Form {
    match &s.mode {
        Mode::Form(f) => f,
        other => panic!("no form: {other:?}"),
    }
}

#[test]
fn editor_field_with_a_validation_error_and_suggestions() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0); // linux/amd64
    s.field_key(&key(KeyCode::Down), &Ctx::default()); // architecture
    for _ in 0..5 {
        s.field_key(&key(KeyCode::Backspace), &Ctx::default());
    }
    typed(&mut s, "amd46");
    let f = form(&s);
    let issues = f.issues(&Keymap::default());
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].suggestions.contains(&"amd64".to_string()));
    insta::assert_snapshot!(ed(&s).backend());
}

#[test]
fn editor_problems_listed() {
    let mut d = six();
    // Missing architecture, a duplicate, annotations on a Docker list, a foreign registry.
    d.entries[1]
        .descriptor
        .platform
        .as_mut()
        .expect("p")
        .architecture
        .clear();
    let dup = d.entries[0].platform();
    d.entries[3].descriptor.platform = Some(dup);
    d.entries[4]
        .descriptor
        .annotations
        .insert("org.example.note".into(), "x".into());
    d.entries[5].reference = Reference::parse("ghcr.io/acme/app-windows:v1").expect("ref");
    let ps = problems(&d, &Keymap::default());
    assert!(ps
        .iter()
        .any(|p| p.text.contains("architecture is missing")));
    assert!(ps.iter().any(|p| p.text.contains("duplicate platform")));
    assert!(ps.iter().any(|p| p.text.contains("annotations")));
    assert!(ps
        .iter()
        .any(|p| !p.blocking && p.text.contains("will be copied")));
    let mut s = editor_with(vec![d]);
    s.focus = Focus::Entries;
    insta::assert_snapshot!(render(120, 26, |f, v| editor::draw(f, f.area(), &s, v)).backend());
}

fn pushing() -> PushState {
    let mut p = PushState::new();
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

fn pv(p: &PushState) -> Terminal<TestBackend> {
    render(100, 14, |f, v| push::draw(f, f.area(), p, v))
}

#[test]
fn push_in_progress() {
    let p = pushing();
    assert!(p.busy());
    insta::assert_snapshot!(pv(&p).backend());
}

#[test]
fn push_with_a_failed_entry() {
    let mut p = pushing();
    p.progress(Progress::Entry {
        index: 1,
        stage: EntryStage::Failed {
            reason: "blob sha256:abc: connection refused".into(),
        },
    });
    let mut ctx = Ctx::default();
    p.reply(
        Reply::Failed("pushing entry linux/arm/v7 failed while copying blobs: connection refused. The local list is unchanged; run push again to finish".into()),
        &mut ctx,
    );
    assert!(matches!(p.status, PushStatus::Failed(_)));
    insta::assert_snapshot!(pv(&p).backend());
}

/// More entries than rows: the last row says how many are out of sight and that one of them
/// failed; moving the selection scrolls the window to it.
#[test]
fn push_rows_that_do_not_fit_are_counted_and_scroll() {
    let mut p = pushing();
    p.progress(Progress::Entry {
        index: 4,
        stage: EntryStage::Failed {
            reason: "manifest invalid".into(),
        },
    });
    let short = |p: &PushState| render(100, 10, |f, v| push::draw(f, f.area(), p, v));
    let top = short(&p);
    insta::assert_snapshot!("push_rows_window_at_the_top", top.backend());
    let text = format!("{:?}", top.backend());
    assert!(text.contains("3 more below (1 failed)"), "{text}");
    let mut ctx = Ctx::default();
    for _ in 0..5 {
        assert!(p.action(Action::Down, &mut ctx));
    }
    let bottom = short(&p);
    insta::assert_snapshot!("push_rows_window_at_the_bottom", bottom.backend());
    let text = format!("{:?}", bottom.backend());
    assert!(text.contains("3 more above"), "{text}");
    assert!(
        text.contains("windows/amd64"),
        "the selected last row is shown: {text}"
    );
}

fn report() -> PushReport {
    let d = six();
    PushReport {
        target: d.list.clone(),
        digest: Digest::sha256(b"the list"),
        entries: d
            .entries
            .iter()
            .map(|e| PushedEntry {
                reference: d.list.at_digest(e.digest()),
                source: e.reference.clone(),
                digest: e.digest().clone(),
                in_place: false,
            })
            .collect(),
        unchanged: false,
        purged: false,
    }
}

#[test]
fn push_done_and_the_digest_copies() {
    let mut p = pushing();
    let mut ctx = Ctx::default();
    p.reply(Reply::Pushed(Box::new(report())), &mut ctx);
    assert!(matches!(p.status, PushStatus::Done(_)));
    assert!(p.rows.iter().all(|r| r.done()));
    assert!(p.action(Action::CopyDigest, &mut ctx));
    assert!(ctx
        .events
        .contains(&AppEvent::Copy(Digest::sha256(b"the list").to_string())));
    insta::assert_snapshot!(pv(&p).backend());
}

#[test]
fn push_cancel_then_retry_repeats_the_same_push() {
    let mut p = pushing();
    let mut ctx = Ctx::default();
    // The push request the editor made, as the app would track it.
    ctx.request(
        Slot::Push,
        Command::Push {
            list: six().list,
            purge: false,
        },
    );
    assert!(p.action(Action::CancelPush, &mut ctx));
    assert_eq!(p.status, PushStatus::Cancelled);
    assert!(ctx.outbox.iter().any(|m| matches!(m, ToWorker::Cancel(_))));
    ctx.outbox.clear();
    assert!(p.action(Action::Retry, &mut ctx));
    let r = runs(&ctx);
    assert!(matches!(
        &r[..],
        [(Slot::Push, Command::Push { purge: false, .. })]
    ));
    assert_eq!(p.status, PushStatus::Starting);
}

#[test]
fn new_list_then_add_entries_are_queued_one_at_a_time() {
    let mut s = editor_with(vec![]);
    let mut ctx = Ctx::default();
    assert!(s.action(Action::NewList, &mut ctx));
    assert!(s.field_focused());
    // `q` and `p` are text in a field.
    typed(&mut s, &format!("{HOST}/qp:v1"));
    assert!(s.action(Action::Submit, &mut ctx));
    let r = runs(&ctx);
    assert!(
        matches!(&r[..], [(Slot::Draft, Command::Store(StoreOp::New { format: Format::Docker, list }))] if list.to_string() == format!("{HOST}/qp:v1"))
    );
    // The reply arrives: the list exists and is selected.
    let mut d = six();
    d.list = Reference::parse(&format!("{HOST}/qp:v1")).expect("ref");
    d.entries.clear();
    s.reply(
        Slot::Draft,
        Reply::Drafts {
            rows: rows_of(vec![d.clone()]),
            focus: Some(d.list.clone()),
            note: Some("created".into()),
        },
        &mut ctx,
    );
    assert_eq!(s.draft().map(|d| d.list.clone()), Some(d.list.clone()));
    // Add two references; a second change while the first runs waits in the queue.
    ctx.outbox.clear();
    assert!(s.action(Action::AddEntry, &mut ctx));
    typed(&mut s, &format!("{HOST}/a:v1 {HOST}/b:v1"));
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(s.action(Action::CycleFormat, &mut ctx));
    let r = runs(&ctx);
    assert_eq!(r.len(), 1, "{r:?}");
    assert!(
        matches!(&r[0], (Slot::Draft, Command::Store(StoreOp::AddEntries { refs, .. })) if refs.len() == 2)
    );
    assert_eq!(s.queue.len(), 1);
    ctx.outbox.clear();
    s.reply(
        Slot::Draft,
        Reply::Drafts {
            rows: rows_of(vec![d.clone()]),
            focus: Some(d.list.clone()),
            note: None,
        },
        &mut ctx,
    );
    let r = runs(&ctx);
    assert!(matches!(
        &r[..],
        [(
            Slot::Draft,
            Command::Store(StoreOp::SetFormat {
                format: Some(Format::Docker),
                ..
            })
        )]
    ));
}

#[test]
fn a_bad_reference_is_refused_in_the_prompt() {
    let mut s = editor_with(vec![six()]);
    let mut ctx = Ctx::default();
    s.action(Action::AddEntry, &mut ctx);
    typed(&mut s, "UPPER/Case:v1");
    s.action(Action::Submit, &mut ctx);
    match &s.mode {
        Mode::Prompt(p) => assert!(p.error.is_some() && p.kind == PromptKind::Add),
        other => panic!("{other:?}"),
    }
    assert!(runs(&ctx).is_empty());
}

#[test]
fn tab_cycles_known_values_and_esc_reverts_the_field() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0);
    s.field_key(&key(KeyCode::Down), &Ctx::default());
    s.field_key(&key(KeyCode::Down), &Ctx::default()); // variant
    s.field_key(&key(KeyCode::Tab), &Ctx::default());
    assert_eq!(form(&s).rows[2].value(), "v1");
    s.field_key(&key(KeyCode::Tab), &Ctx::default());
    assert_eq!(form(&s).rows[2].value(), "v2");
    s.field_key(&key(KeyCode::BackTab), &Ctx::default());
    assert_eq!(form(&s).rows[2].value(), "v1");
    assert!(form(&s).modified());
    let mut ctx = Ctx::default();
    // Esc: the field goes back to its saved value, the form stays.
    s.action(Action::Cancel, &mut ctx);
    assert_eq!(form(&s).rows[2].value(), "");
    assert!(!form(&s).modified());
    // Esc again closes it.
    s.action(Action::Cancel, &mut ctx);
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn saving_the_form_sends_one_annotate_with_every_field() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0);
    s.field_key(&key(KeyCode::Down), &Ctx::default());
    s.field_key(&key(KeyCode::Down), &Ctx::default());
    typed(&mut s, "v3");
    s.field_key(&key(KeyCode::Down), &Ctx::default());
    s.field_key(&key(KeyCode::Down), &Ctx::default());
    s.paste("sse4,\navx2");
    let mut ctx = Ctx::default();
    s.action(Action::Submit, &mut ctx);
    let r = runs(&ctx);
    let [(Slot::Draft, Command::Store(StoreOp::Annotate { entry, opts, .. }))] = &r[..] else {
        panic!("{r:?}")
    };
    assert!(matches!(entry, EntrySelector::Reference(_)));
    assert_eq!(opts.variant.as_deref(), Some("v3"));
    assert_eq!(opts.os_features, vec!["sse4, avx2".to_string()]);
    assert!(opts.replace_os_features);
    assert!(form(&s).saving);
    // The store answers: the form closes.
    s.reply(
        Slot::Draft,
        Reply::Drafts {
            rows: rows_of(vec![six()]),
            focus: None,
            note: Some("saved".into()),
        },
        &mut ctx,
    );
    assert!(matches!(s.mode, Mode::Normal));
}

#[test]
fn an_invalid_form_is_not_sent_and_a_store_refusal_keeps_the_form() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0);
    typed(&mut s, "x"); // os "linuxx"
    let mut ctx = Ctx::default();
    s.action(Action::Submit, &mut ctx);
    assert!(runs(&ctx).is_empty());
    assert!(form(&s)
        .error
        .as_deref()
        .is_some_and(|e| e.contains("not saved")));
    s.field_key(&key(KeyCode::Backspace), &Ctx::default());
    // An annotation on a Docker list is refused before sending.
    for _ in 0..5 {
        s.field_key(&key(KeyCode::Down), &Ctx::default());
    }
    typed(&mut s, "k=v");
    s.action(Action::Submit, &mut ctx);
    assert!(runs(&ctx).is_empty());
    assert!(form(&s).error.is_some());
}

#[test]
fn sending_from_the_browser_adds_to_the_selected_list_or_asks_for_one() {
    let item = EditorItem {
        reference: Reference::parse(&format!("{HOST}/samples/app:v1")).expect("ref"),
        descriptor: None,
    };
    let mut s = editor_with(vec![six()]);
    let mut ctx = Ctx::default();
    s.receive(&item, &mut ctx);
    assert!(ctx.events.contains(&AppEvent::Show(PaneId::Editor)));
    assert!(matches!(
        &runs(&ctx)[..],
        [(Slot::Draft, Command::Store(StoreOp::AddEntries { .. }))]
    ));

    let mut s = editor_with(vec![]);
    let mut ctx = Ctx::default();
    s.receive(&item, &mut ctx);
    assert!(matches!(&s.mode, Mode::Prompt(p) if p.kind == PromptKind::New(Format::Docker)));
    typed(&mut s, &format!("{HOST}/new:v1"));
    s.action(Action::Submit, &mut ctx);
    assert_eq!(s.queue.len(), 1, "the add waits for the new list");
}

#[test]
fn push_is_refused_with_problems_and_started_without() {
    let mut d = six();
    d.entries[1]
        .descriptor
        .platform
        .as_mut()
        .expect("p")
        .os
        .clear();
    let mut s = editor_with(vec![d]);
    let mut ctx = Ctx::default();
    s.action(Action::Push, &mut ctx);
    assert!(runs(&ctx).is_empty());
    assert!(ctx
        .events
        .iter()
        .any(|e| matches!(e, AppEvent::Notice(n) if n.text.contains("os is missing"))));
    let mut s = editor_with(vec![six()]);
    let mut ctx = Ctx::default();
    s.action(Action::PushPurge, &mut ctx);
    // The editor asks the push view, which runs it: every push and copy starts there.
    assert!(runs(&ctx).is_empty());
    let job = Transfer::Push {
        list: six().list,
        purge: true,
    };
    assert_eq!(
        ctx.events,
        vec![AppEvent::StartTransfer(Box::new(job.clone()))]
    );
    let mut p = PushState::new();
    let mut ctx = Ctx::default();
    assert!(p.start(job, &mut ctx));
    assert!(matches!(
        &runs(&ctx)[..],
        [(Slot::Push, Command::Push { purge: true, .. })]
    ));
    assert!(p.purge());
}

/// A push asked for while a copy runs does not start: starting it would cancel the copy
/// (one slot runs one at a time). The copy keeps running and the notice says why, with the
/// cancel key from the key table. Once the copy is done, the same push starts.
#[test]
fn a_push_never_cancels_a_running_copy() {
    let (mut p, mut ctx, _, dst) = copying(
        "127.0.0.1:5000/samples/app:v1",
        "127.0.0.1:6000/team/app:v1",
        Vec::new(),
        false,
    );
    let copy_runs = runs(&ctx);
    assert!(matches!(&copy_runs[..], [(Slot::Push, Command::Copy(_))]));
    ctx.outbox.clear();
    let push = Transfer::Push {
        list: six().list,
        purge: false,
    };
    assert!(!p.start(push.clone(), &mut ctx));
    assert!(
        ctx.outbox.is_empty(),
        "nothing sent, nothing cancelled: {:?}",
        ctx.outbox
    );
    assert!(p.busy() && p.copying().is_some());
    let notice = ctx
        .events
        .iter()
        .find_map(|e| match e {
            AppEvent::Notice(n) => Some(n.text.clone()),
            _ => None,
        })
        .expect("a notice");
    assert!(
        notice.contains(&format!("a copy to {dst} is running")),
        "{notice}"
    );
    assert!(notice.contains("(c in the push view)"), "{notice}");
    // The same through the push pane, the way the app routes the editor's event.
    let mut pane = push::PushPane { state: p.clone() };
    let mut ctx = Ctx::default();
    use manifest_tui::tui::pane::Pane as _;
    assert!(pane.app_event(&AppEvent::StartTransfer(Box::new(push.clone())), &mut ctx));
    assert!(ctx.outbox.is_empty() && !ctx.events.contains(&AppEvent::Show(PaneId::Push)));
    // The copy fails: now the push starts, and it is what retry repeats.
    let mut ctx = Ctx::default();
    p.reply(Reply::Failed("gone".into()), &mut ctx);
    assert!(p.start(push.clone(), &mut ctx));
    assert!(matches!(
        &runs(&ctx)[..],
        [(Slot::Push, Command::Push { purge: false, .. })]
    ));
    assert_eq!(p.job, Some(push));
}

#[test]
fn store_ops_new_rename_format_delete() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::at(dir.path().join("manifests"));
    let a = Reference::parse(&format!("{HOST}/a:v1")).expect("ref");
    let b = Reference::parse(&format!("{HOST}/b:v1")).expect("ref");
    worker::store_op(
        &store,
        StoreOp::New {
            list: a.clone(),
            format: Format::Oci,
        },
    )
    .expect("new");
    assert!(worker::store_op(
        &store,
        StoreOp::New {
            list: a.clone(),
            format: Format::Oci
        }
    )
    .is_err());
    // Put entries in it, then rename: entries and format follow.
    let d = six();
    store
        .update(&a, |cur| {
            let mut cur = cur.expect("exists");
            cur.entries = d.entries.clone();
            Ok::<_, manifest_tui::store::StoreError>((cur, ()))
        })
        .expect("update");
    worker::store_op(
        &store,
        StoreOp::Rename {
            from: a.clone(),
            to: b.clone(),
        },
    )
    .expect("rename");
    assert!(!store.exists(&a));
    let loaded = store.load(&b).expect("b");
    assert_eq!(loaded.entries.len(), 6);
    assert_eq!(loaded.meta.format, Some(Format::Oci));
    worker::store_op(
        &store,
        StoreOp::SetFormat {
            list: b.clone(),
            format: None,
        },
    )
    .expect("format");
    assert_eq!(store.load(&b).expect("b").meta.format, None);
    let rows = worker::draft_rows(&store).expect("rows");
    assert_eq!(rows.len(), 1);
    worker::store_op(&store, StoreOp::Delete { list: b.clone() }).expect("delete");
    assert!(worker::draft_rows(&store).expect("rows").is_empty());
    let _ = Load::Done;
}

/// A list the store recorded is shown under exactly that name, dashed tag and all; one that
/// docker made with an ambiguous name blocks the push until `r` sets its target, and Tab in
/// that prompt offers each reading.
#[test]
fn lists_are_shown_and_pushed_under_their_exact_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(Some(dir.path()));
    let ours = Reference::parse("127.0.0.1:5000/rc/app:v1-rc").unwrap();
    worker::store_op(
        &store,
        StoreOp::New {
            list: ours.clone(),
            format: Format::Docker,
        },
    )
    .expect("new");
    let rows = worker::draft_rows(&store).expect("rows");
    assert_eq!(rows[0].draft.as_ref().unwrap().list, ours);

    // docker's copy of the same kind of name, with the entries of a six-entry draft.
    let docker_dir = "127.0.0.1-5000_dk-v1-rc";
    let six = six();
    let path = store.root().join(docker_dir);
    std::fs::create_dir_all(&path).unwrap();
    for e in &six.entries {
        std::fs::write(
            path.join(&e.file_name),
            manifest_tui::store::encode_entry(e),
        )
        .unwrap();
    }
    let mut s = EditorState::default();
    s.set_rows(worker::draft_rows(&store).expect("rows"), None);
    assert_eq!(s.rows[0].dir_name, docker_dir);
    let term = ed(&s);
    let buf = term.backend().buffer();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            let line: String = (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            line + "\n"
        })
        .collect();
    // The title names both readings; the row is marked as not pushable.
    assert!(
        screen.contains(" 127.0.0.1:5000/dk-v1:rc or 127.0.0.1:5000/dk:v1-rc "),
        "{screen}"
    );
    assert!(screen.contains("its name is ambiguous"), "{screen}");
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Push, &mut ctx));
    assert!(runs(&ctx).is_empty(), "nothing is pushed");
    assert!(
        ctx.events.iter().any(|e| matches!(e, AppEvent::Notice(n)
            if n.text.contains("name is ambiguous") && n.text.contains("(rename: r)"))),
        "the push is refused, saying why"
    );

    // r: the prompt starts empty; Tab offers the readings; Enter records the choice.
    assert!(s.action(Action::Rename, &mut ctx));
    s.field_key(&key(KeyCode::Tab), &Ctx::default());
    s.field_key(&key(KeyCode::Tab), &Ctx::default());
    let Mode::Prompt(p) = &s.mode else {
        panic!("the prompt")
    };
    assert_eq!(p.field.value(), "127.0.0.1:5000/dk:v1-rc");
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Submit, &mut ctx));
    let Some((_, Command::Store(op))) = runs(&ctx).pop() else {
        panic!("a store op")
    };
    worker::store_op(&store, op).expect("retarget");
    let rows = worker::draft_rows(&store).expect("rows");
    let d = rows[0].draft.as_ref().unwrap();
    assert_eq!(d.list.to_string(), "127.0.0.1:5000/dk:v1-rc");
    assert!(d.ambiguous().is_none());
    assert_eq!(d.entries.len(), six.entries.len());
}

/// Tags and repositories the browser listed reach the editor (an app event), and Tab in the
/// add prompt completes from them, cycling in sorted order.
#[test]
fn the_add_prompt_completes_references_the_browser_listed() {
    use manifest_tui::tui::pane::Pane;
    use manifest_tui::tui::panes::browser::BrowserPane;
    use manifest_tui::tui::state::browser::Level;
    use manifest_tui::tui::worker::{RequestId, WorkerEvent};

    // The browser, on 127.0.0.1:5000/samples/app, receives a page of tags.
    let mut b = BrowserPane::default();
    b.state.registry = Some("127.0.0.1:5000".into());
    b.state.repo = Some("samples/app".into());
    b.state.level = Level::Tags;
    let mut ctx = Ctx::default();
    b.worker_event(
        WorkerEvent {
            id: RequestId(1),
            slot: Slot::Tags,
            last: true,
            reply: Reply::TagsPage {
                tags: vec!["v2".into(), "v1".into(), "latest".into()],
                done: true,
            },
        },
        &mut ctx,
    );
    let seen = ctx
        .events
        .iter()
        .find_map(|e| match e {
            AppEvent::Seen(v) => Some(v.clone()),
            _ => None,
        })
        .expect("a Seen event");
    assert_eq!(
        seen,
        [
            "127.0.0.1:5000/samples/app:v2",
            "127.0.0.1:5000/samples/app:v1",
            "127.0.0.1:5000/samples/app:latest"
        ]
    );

    // A catalog page names repositories.
    let mut ctx = Ctx::default();
    b.worker_event(
        WorkerEvent {
            id: RequestId(2),
            slot: Slot::Catalog,
            last: true,
            reply: Reply::CatalogPage {
                repos: vec!["samples/app".into()],
                done: true,
            },
        },
        &mut ctx,
    );
    assert!(
        matches!(&ctx.events[..], [AppEvent::Seen(v)] if v == &["127.0.0.1:5000/samples/app"]),
        "{:?}",
        ctx.events
    );

    // The editor is not the event's only listener: it keeps the references, never consumes.
    let mut e = editor::EditorPane {
        state: editor_with(vec![six()]),
    };
    let mut ctx = Ctx::default();
    assert!(!e.app_event(&AppEvent::Seen(seen), &mut ctx));
    e.state.action(Action::AddEntry, &mut ctx);
    typed(&mut e.state, "127.0.0.1:5000/samples/app:v");
    let value = |s: &EditorState| match &s.mode {
        Mode::Prompt(p) => p.field.value().to_string(),
        other => panic!("{other:?}"),
    };
    e.state.field_key(&key(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v1");
    e.state.field_key(&key(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v2");
    e.state.field_key(&key(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v1");
}

/// The push view with a copy of `src` to `dst` started.
fn copying(
    src: &str,
    dst: &str,
    platforms: Vec<manifest_tui::platform::Platform>,
    referrers: bool,
) -> (
    PushState,
    manifest_tui::tui::pane::Ctx,
    manifest_tui::reference::Reference,
    manifest_tui::reference::Reference,
) {
    let src = manifest_tui::reference::Reference::parse(src).unwrap();
    let dst = manifest_tui::reference::Reference::parse(dst).unwrap();
    let mut p = PushState::new();
    let mut ctx = manifest_tui::tui::pane::Ctx::default();
    let job = manifest_tui::ops::CopyJob {
        src: src.clone(),
        dst: dst.clone(),
        options: manifest_tui::ops::CopyOptions {
            platforms,
            referrers,
        },
    };
    assert!(p.start(Transfer::Copy(job), &mut ctx));
    (p, ctx, src, dst)
}

/// The push view following a filtered copy that finished: the target, its (new) digest and
/// why it differs from the source's.
#[test]
fn push_view_after_a_filtered_copy() {
    use manifest_tui::digest::Digest;
    use manifest_tui::ops::{CopiedEntry, CopyReport};
    use manifest_tui::platform::Platform;
    let (mut p, mut ctx, src, dst) = copying(
        "127.0.0.1:5000/samples/app:v1",
        "127.0.0.1:6000/team/app:v1",
        vec![Platform::parse("linux/amd64").unwrap()],
        false,
    );
    let entry = |p: &str, n: &[u8]| CopiedEntry {
        platform: Platform::parse(p).unwrap(),
        digest: Digest::sha256(n),
        media_type: manifest_tui::media::OCI_MANIFEST.into(),
        describes: None,
    };
    let report = CopyReport {
        source: src,
        target: dst,
        source_digest: Digest::sha256(b"src"),
        digest: Digest::sha256(b"new"),
        entries: vec![entry("linux/amd64", b"amd64"), entry("linux/arm64", b"arm64")],
        changed: Some("a new OCI index holding 2 of the source's 6 entries (linux/amd64, linux/arm64), so its digest differs".into()),
        unchanged: false,
        referrers: Vec::new(),
        referrer_notes: Vec::new(),
        tag_scheme: Vec::new(),
    };
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    p.progress(Progress::Entry {
        index: 1,
        stage: EntryStage::Copying {
            done: 3 * 1024 * 1024,
            total: 3 * 1024 * 1024,
        },
    });
    p.reply(Reply::Copied(Box::new(report.clone())), &mut ctx);
    let t = pv(&p);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("✓ copied to 127.0.0.1:6000/team/app:v1")
            && screen.contains(&format!("digest {}  (y copies)", report.digest)),
        "the new digest, whole: {screen}"
    );
    assert!(
        screen.contains("a new OCI index holding 2 of the source's 6 entries"),
        "why the digest differs: {screen}"
    );
    for e in &report.entries {
        let label = e.platform.display();
        let row = screen
            .lines()
            .find(|l| l.contains(&format!("{label} pushed")))
            .unwrap_or_else(|| panic!("no row for {label}: {screen}"));
        assert!(row.contains(&e.digest.short()), "{row}");
    }
    insta::assert_snapshot!(t.backend());
}

/// The push view after `copy` with referrers: the release's row, one row per referrer
/// (the kind and what it refers to), and the referrers tag written on a target without the
/// referrers API.
#[test]
fn push_view_after_a_copy_with_referrers() {
    use manifest_tui::ops::{CopiedReferrer, CopyReport};
    let a = mt_testkit::samples::attest::attested();
    let (mut p, mut ctx, src, dst) = copying(
        "127.0.0.1:5000/samples/attested:v1",
        "127.0.0.1:6000/promoted/attested:v1",
        Vec::new(),
        true,
    );
    let mut sig =
        manifest_tui::media::RawManifest::new(a.signature.manifest.clone(), a.signature.media_type)
            .unwrap()
            .descriptor();
    sig.artifact_type = Some("application/vnd.dev.cosign.artifact.sig.v1+json".into());
    let report = CopyReport {
        source: src,
        target: dst,
        source_digest: a.index.digest.clone(),
        digest: a.index.digest.clone(),
        entries: Vec::new(),
        changed: None,
        unchanged: false,
        referrers: vec![CopiedReferrer {
            subject: a.index.digest.clone(),
            descriptor: sig,
            depth: 1,
            present: false,
        }],
        referrer_notes: Vec::new(),
        tag_scheme: vec![a.index.digest.clone()],
    };
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    assert_eq!(p.rows.len(), 2, "the image and its signature");
    assert_eq!(
        p.rows[1].platform,
        format!("signature of {}", a.index.digest.short())
    );
    p.reply(Reply::Copied(Box::new(report)), &mut ctx);
    let screen = pv(&p).backend().to_string();
    assert!(
        screen.contains(&format!(
            "referrers of {} listed under the tag",
            a.index.digest.short()
        )) && screen.contains(&manifest_tui::attest::referrers_tag(&a.index.digest)),
        "{screen}"
    );
    insta::assert_snapshot!(pv(&p).backend());
}
