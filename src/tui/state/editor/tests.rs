//! The draft editor's state transitions, without a runtime.

use crate::ops::EntrySelector;
use crate::reference::Reference;
use crate::store::Format;
use crate::store::Store;
use crate::tui::keymap::Action;
use crate::tui::pane::AppEvent;
use crate::tui::pane::Ctx;
use crate::tui::pane::EditorItem;
use crate::tui::pane::PaneId;
use crate::tui::pane::Transfer;
use crate::tui::panes::editor;
use crate::tui::panes::push;
use crate::tui::state::editor::EditorState;
use crate::tui::state::editor::Mode;
use crate::tui::state::editor::PromptKind;
use crate::tui::state::push::PushState;
use crate::tui::test_fixtures::{
    copying, ed, editor_with, form, form_on, press, rows_of, six, slot_runs, typed, HOST,
};
use crate::tui::worker;
use crate::tui::worker::Command;
use crate::tui::worker::Reply;
use crate::tui::worker::Slot;
use crate::tui::worker::StoreOp;
use ratatui::crossterm::event::KeyCode;

#[test]
fn new_list_then_add_entries_are_queued_one_at_a_time() {
    let mut s = editor_with(vec![]);
    let mut ctx = Ctx::default();
    assert!(s.action(Action::NewList, &mut ctx));
    assert!(s.field_focused());
    // `q` and `p` are text in a field.
    typed(&mut s, &format!("{HOST}/qp:v1"));
    assert!(s.action(Action::Submit, &mut ctx));
    let r = slot_runs(&ctx);
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
    let r = slot_runs(&ctx);
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
    let r = slot_runs(&ctx);
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
    assert!(slot_runs(&ctx).is_empty());
}

#[test]
fn tab_cycles_known_values_and_esc_reverts_the_field() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0);
    s.field_key(&press(KeyCode::Down), &Ctx::default());
    s.field_key(&press(KeyCode::Down), &Ctx::default()); // variant
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(form(&s).rows[2].value(), "v1");
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(form(&s).rows[2].value(), "v2");
    s.field_key(&press(KeyCode::BackTab), &Ctx::default());
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
    s.field_key(&press(KeyCode::Down), &Ctx::default());
    s.field_key(&press(KeyCode::Down), &Ctx::default());
    typed(&mut s, "v3");
    s.field_key(&press(KeyCode::Down), &Ctx::default());
    s.field_key(&press(KeyCode::Down), &Ctx::default());
    s.paste("sse4,\navx2");
    let mut ctx = Ctx::default();
    s.action(Action::Submit, &mut ctx);
    let r = slot_runs(&ctx);
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
    assert!(slot_runs(&ctx).is_empty());
    assert!(form(&s)
        .error
        .as_deref()
        .is_some_and(|e| e.contains("not saved")));
    s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    // An annotation on a Docker list is refused before sending.
    for _ in 0..5 {
        s.field_key(&press(KeyCode::Down), &Ctx::default());
    }
    typed(&mut s, "k=v");
    s.action(Action::Submit, &mut ctx);
    assert!(slot_runs(&ctx).is_empty());
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
        &slot_runs(&ctx)[..],
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
    assert!(slot_runs(&ctx).is_empty());
    assert!(ctx
        .events
        .iter()
        .any(|e| matches!(e, AppEvent::Notice(n) if n.text.contains("os is missing"))));
    let mut s = editor_with(vec![six()]);
    let mut ctx = Ctx::default();
    s.action(Action::PushPurge, &mut ctx);
    // The editor asks the push view, which runs it: every push and copy starts there.
    assert!(slot_runs(&ctx).is_empty());
    let job = Transfer::Push {
        list: six().list,
        purge: true,
    };
    assert_eq!(
        ctx.events,
        vec![AppEvent::StartTransfer(Box::new(job.clone()))]
    );
    let mut p = PushState::default();
    let mut ctx = Ctx::default();
    assert!(p.start(job, &mut ctx));
    assert!(matches!(
        &slot_runs(&ctx)[..],
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
    let copy_runs = slot_runs(&ctx);
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
    use crate::tui::pane::Pane as _;
    assert!(pane.app_event(&AppEvent::StartTransfer(Box::new(push.clone())), &mut ctx));
    assert!(ctx.outbox.is_empty() && !ctx.events.contains(&AppEvent::Show(PaneId::Push)));
    // The copy fails: now the push starts, and it is what retry repeats.
    let mut ctx = Ctx::default();
    p.reply(Reply::Failed("gone".into()), &mut ctx);
    assert!(p.start(push.clone(), &mut ctx));
    assert!(matches!(
        &slot_runs(&ctx)[..],
        [(Slot::Push, Command::Push { purge: false, .. })]
    ));
    assert_eq!(p.job, Some(push));
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
        std::fs::write(path.join(&e.file_name), crate::store::encode_entry(e)).unwrap();
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
    assert!(slot_runs(&ctx).is_empty(), "nothing is pushed");
    assert!(
        ctx.events.iter().any(|e| matches!(e, AppEvent::Notice(n)
            if n.text.contains("name is ambiguous") && n.text.contains("(rename: r)"))),
        "the push is refused, saying why"
    );

    // r: the prompt starts empty; Tab offers the readings; Enter records the choice.
    assert!(s.action(Action::Rename, &mut ctx));
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    let Mode::Prompt(p) = &s.mode else {
        panic!("the prompt")
    };
    assert_eq!(p.field.value(), "127.0.0.1:5000/dk:v1-rc");
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Submit, &mut ctx));
    let Some((_, Command::Store(op))) = slot_runs(&ctx).pop() else {
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
    use crate::tui::pane::Pane;
    use crate::tui::panes::browser::BrowserPane;
    use crate::tui::state::browser::Level;
    use crate::tui::worker::{RequestId, WorkerEvent};

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
    e.state.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v1");
    e.state.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v2");
    e.state.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(value(&e.state), "127.0.0.1:5000/samples/app:v1");
}
