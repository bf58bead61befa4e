//! The app's key routing, stale replies, notices and clipboard, and its frame (tabs, hints,
//! status bar) as snapshots.

use crate::ops::Source;
use crate::reference::Reference;
use crate::tui::app::App;
use crate::tui::app::Control;
use crate::tui::keymap::Context;
use crate::tui::keymap::Keymap;
use crate::tui::pane::Notice;
use crate::tui::pane::NoticeLevel;
use crate::tui::pane::PaneId;
use crate::tui::state::browser::Level;
use crate::tui::state::Load;
use crate::tui::test_fixtures::{self as fixtures, ch, last_id, press, row, runs, text, HOST};
use crate::tui::theme::Theme;
use crate::tui::worker::Command;
use crate::tui::worker::Reply;
use crate::tui::worker::RequestId;
use crate::tui::worker::Slot;
use crate::tui::worker::ToWorker;
use crate::tui::worker::WorkerEvent;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::crossterm::event::KeyEvent;
use ratatui::crossterm::event::KeyEventKind;
use ratatui::crossterm::event::KeyModifiers;
use ratatui::Terminal;

#[test]
fn a_stale_reply_is_dropped_and_the_old_request_cancelled() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.level = Level::Catalog;
    b.state
        .catalog
        .extend(["one/repo".to_string(), "two/repo".to_string()]);
    b.state.catalog_load = Load::Done;
    app.panes[0] = Box::new(b);
    // Open one/repo, go back, open two/repo: the first tags request is superseded.
    app.key(press(KeyCode::Enter));
    let first = last_id(&app.ctx, Slot::Tags);
    app.key(press(KeyCode::Esc));
    app.key(ch('j'));
    app.key(press(KeyCode::Enter));
    let second = last_id(&app.ctx, Slot::Tags);
    assert_ne!(first, second);
    assert!(app
        .ctx
        .outbox
        .iter()
        .any(|m| matches!(m, ToWorker::Cancel(id) if *id == first)));
    // The late answer for one/repo must not show up under two/repo.
    app.worker_event(WorkerEvent {
        id: first,
        slot: Slot::Tags,
        last: true,
        reply: Reply::TagsPage {
            tags: vec!["stale".into()],
            done: true,
        },
    });
    assert_eq!(app.ctx.requests.dropped, 1);
    app.worker_event(WorkerEvent {
        id: second,
        slot: Slot::Tags,
        last: true,
        reply: Reply::TagsPage {
            tags: vec!["v1".into()],
            done: true,
        },
    });
    let mut term = Terminal::new(TestBackend::new(60, 10)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let screen = format!("{}", term.backend());
    assert!(screen.contains("two/repo"), "{screen}");
    assert!(screen.contains("v1"), "{screen}");
    assert!(!screen.contains("stale"), "{screen}");
    // A reply after the final one (same id) is stale too.
    app.worker_event(WorkerEvent {
        id: second,
        slot: Slot::Tags,
        last: true,
        reply: Reply::TagsPage {
            tags: vec!["late".into()],
            done: true,
        },
    });
    assert_eq!(app.ctx.requests.dropped, 2);
}

/// Once a list is on screen, one request asks for every platform's details; keys still move
/// the cursor while it runs; a reply for a list the user moved away from is dropped.
#[test]
fn list_details_are_one_request_after_the_list_and_stale_ones_are_dropped() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.repo = Some("samples/webapp".into());
    b.state.level = Level::Tags;
    b.state.tags.extend(["v1".to_string(), "v2".to_string()]);
    b.state.tags_load = Load::Done;
    app.panes[0] = Box::new(b);
    app.key(press(KeyCode::Enter));
    let inspect = last_id(&app.ctx, Slot::Content);
    assert!(!runs(&app.ctx.outbox)
        .iter()
        .any(|(_, s, _)| *s == Slot::Details));
    app.worker_event(WorkerEvent {
        id: inspect,
        slot: Slot::Content,
        last: false,
        reply: Reply::Inspected(Box::new(fixtures::webapp_list())),
    });
    let details: Vec<_> = runs(&app.ctx.outbox)
        .into_iter()
        .filter(|(_, s, _)| *s == Slot::Details)
        .collect();
    assert_eq!(details.len(), 1, "one request for all platforms");
    let (first, _, cmd) = &details[0];
    assert!(
        matches!(cmd, Command::Details { entries, list } if entries.len() == 3
            && list.to_string().ends_with("samples/webapp:v1")),
        "{cmd:?}"
    );
    // Keys are not blocked meanwhile: j moves the selection from the first platform to
    // the second while the details load.
    let mut term = Terminal::new(TestBackend::new(150, 10)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let before = fixtures::reversed_rows(&term);
    assert!(
        before.len() == 1 && before[0].contains("linux/amd64"),
        "{before:#?}"
    );
    app.key(ch('j'));
    term.draw(|f| app.draw(f)).expect("draw");
    let screen = format!("{}", term.backend());
    assert!(screen.contains("what is inside each platform"), "{screen}");
    let after = fixtures::reversed_rows(&term);
    assert!(
        after.len() == 1 && after[0].contains("linux/arm64/v8"),
        "the selection moved down one row: {after:#?}\n{screen}"
    );
    // Away to v2 before the details came: the late reply for v1 is dropped.
    app.key(press(KeyCode::Esc));
    app.key(ch('j'));
    app.key(press(KeyCode::Enter));
    let dropped = app.ctx.requests.dropped;
    app.worker_event(WorkerEvent {
        id: *first,
        slot: Slot::Details,
        last: true,
        reply: Reply::Details(vec![Ok(Box::new(fixtures::webapp_details(0)))]),
    });
    assert_eq!(app.ctx.requests.dropped, dropped + 1);
    term.draw(|f| app.draw(f)).expect("draw");
    let screen = format!("{}", term.backend());
    assert!(!screen.contains("2026-11-02T09:30:12Z"), "{screen}");
}

#[test]
fn typing_q_in_the_filter_never_quits() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.level = Level::Catalog;
    b.state
        .catalog
        .extend(["quay/app".to_string(), "other/app".to_string()]);
    app.panes[0] = Box::new(b);
    app.key(ch('/'));
    app.key(ch('q'));
    assert_eq!(app.take_control(), Control::Continue);
    assert!(app.active_pane().field_focused());
    app.key(press(KeyCode::Enter)); // leave the field, filter kept
    assert!(!app.active_pane().field_focused());
    app.key(ch('q'));
    assert_eq!(app.take_control(), Control::Quit);
}

#[test]
fn ctrl_c_quits_even_from_a_field() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.key(ch('o'));
    assert!(app.active_pane().field_focused());
    app.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(app.take_control(), Control::Quit);
}

#[test]
fn key_releases_and_repeats_are_ignored() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut k = ch('q');
    k.kind = KeyEventKind::Release;
    app.key(k);
    k.kind = KeyEventKind::Repeat;
    app.key(k);
    assert_eq!(app.take_control(), Control::Continue);
}

#[test]
fn marking_a_then_b_compares_and_shows_the_comparison() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.repo = Some("samples/app".into());
    b.state.level = Level::Tags;
    b.state.tags.extend(["v1".to_string(), "v2".to_string()]);
    app.panes[0] = Box::new(b);
    app.key(ch('a'));
    assert_eq!(app.active_id(), PaneId::Browser);
    assert!(app
        .info
        .as_deref()
        .is_some_and(|i| i.contains("samples/app:v1")));
    app.key(ch('j'));
    app.key(ch('b'));
    assert_eq!(app.active_id(), PaneId::Compare);
    let r = runs(&app.ctx.outbox);
    let (_, _, cmd) = r
        .iter()
        .find(|(_, s, _)| *s == Slot::Compare)
        .expect("a compare request");
    let Command::Compare { a, b } = cmd else {
        panic!("{cmd:?}")
    };
    assert_eq!(
        a,
        &Source::Remote(Reference::parse(&format!("{HOST}/samples/app:v1")).expect("ref"))
    );
    assert_eq!(
        b,
        &Source::Remote(Reference::parse(&format!("{HOST}/samples/app:v2")).expect("ref"))
    );
}

#[test]
fn copying_a_digest_produces_an_osc52_write() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let b = crate::tui::panes::browser::BrowserPane::new(fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_list("v1", false)),
        Load::Done,
    ));
    app.panes[0] = Box::new(b);
    app.key(ch('j'));
    app.key(ch('y'));
    let clip = app.take_clipboard();
    assert_eq!(clip.len(), 1);
    assert!(clip[0].starts_with("sha256:0e02f8dd6772"), "{clip:?}");
    // The second platform's digest, whole (the fixture is samples::list("v1", false)).
    assert_eq!(
        clip[0],
        "sha256:0e02f8dd6772870da199e799b6c5b07298acbfd5e0da6264f0544498a6cda143"
    );
    // The terminal sequence carries exactly that text, base64-encoded.
    use base64::Engine as _;
    let osc = crate::tui::text::osc52(&clip[0]);
    let payload = osc
        .strip_prefix("\x1b]52;c;")
        .and_then(|p| p.strip_suffix('\x07'))
        .unwrap_or_else(|| panic!("not an OSC 52 clipboard write: {osc:?}"));
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("base64");
    assert_eq!(decoded, clip[0].as_bytes());
}

#[test]
fn sending_to_the_editor_without_an_editor_says_so() {
    // An app built without the editor pane (as an embedder might): the send is not lost
    // silently, the user is told.
    let b = crate::tui::panes::browser::BrowserPane::new(fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_list("v1", false)),
        Load::Done,
    ));
    let mut app = App::with_panes(vec![Box::new(b)], Keymap::default(), Theme::colored());
    app.key(ch('e'));
    assert!(app
        .info
        .as_deref()
        .is_some_and(|i| i.contains("not available")));
}

#[test]
fn errors_are_a_dismissable_notice_that_keeps_state() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.ctx.error("boom");
    app.process_events();
    assert!(app.notice.is_some());
    app.key(ch('q')); // swallowed by the notice
    assert_eq!(app.take_control(), Control::Continue);
    app.key(press(KeyCode::Esc));
    assert!(app.notice.is_none());
}

#[test]
fn rate_limits_update_the_status_bar_whichever_request_they_follow() {
    use crate::registry::RateLimit;
    let mut app = App::new(Keymap::default(), Theme::colored());
    let status_line = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(100, 8)).expect("terminal");
        term.draw(|f| app.draw(f)).expect("draw");
        let b = term.backend().buffer().clone();
        (0..100u16)
            .map(|x| b[(x, 7)].symbol().to_string())
            .collect::<String>()
    };
    assert!(!status_line(&app).contains("pulls left"));
    let q = |remaining| RateLimit {
        limit: Some(100),
        remaining,
        window_secs: Some(21600),
    };
    // After a request the app no longer listens to (an untracked id): still shown.
    app.worker_event(WorkerEvent {
        id: RequestId(999),
        slot: Slot::Content,
        last: false,
        reply: Reply::RateLimits(vec![("docker.io".into(), q(87))]),
    });
    assert_eq!(app.ctx.requests.dropped, 0, "quotas are never stale");
    let line = status_line(&app);
    assert!(
        line.trim_end().ends_with("docker.io pulls left 87/100"),
        "{line:?}"
    );
    assert!(
        line.contains("quit") || line.contains("help"),
        "hints kept: {line:?}"
    );
    app.worker_event(WorkerEvent {
        id: RequestId(1000),
        slot: Slot::Tags,
        last: false,
        reply: Reply::RateLimits(vec![("docker.io".into(), q(86))]),
    });
    assert!(status_line(&app).contains("docker.io pulls left 86/100"));
    // Without a limit header, the count alone.
    app.worker_event(WorkerEvent {
        id: RequestId(1001),
        slot: Slot::Tags,
        last: false,
        reply: Reply::RateLimits(vec![(
            "docker.io".into(),
            RateLimit {
                limit: None,
                remaining: 3,
                window_secs: None,
            },
        )]),
    });
    let line = status_line(&app);
    assert!(
        line.trim_end().ends_with("docker.io pulls left 3"),
        "{line:?}"
    );
}

/// Through the app and the key table: R opens the panel, its Esc closes it and the next Esc
/// leaves the content; Enter in the panel opens the referrer.
#[test]
fn referrers_panel_keys_through_the_app() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::new(fixtures::attested_browser());
    b.state.level = Level::Content;
    fixtures::view(&mut b.state)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(fixtures::signature_referrers()));
    app.panes[0] = Box::new(b);
    let browser = |app: &App| app.contexts();
    app.key(ch('R'));
    assert_eq!(
        browser(&app),
        vec![Context::Referrers, Context::List, Context::Global]
    );
    app.key(press(KeyCode::Esc));
    assert_eq!(browser(&app)[0], Context::Content);
    app.key(ch('R'));
    app.key(press(KeyCode::Enter));
    let sig = mt_testkit::samples::attest::attested().signature.digest;
    let id = last_id(&app.ctx, Slot::Content);
    assert!(runs(&app.ctx.outbox).iter().any(|(i, _, c)| *i == id
        && matches!(c, Command::Inspect { reference } if reference.digest.as_ref() == Some(&sig))));
    assert_eq!(browser(&app)[0], Context::Content);
}

fn app_frame(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    term
}

#[test]
fn app_frame_with_tabs_and_hints() {
    let app = App::new(Keymap::default(), Theme::colored());
    let t = app_frame(&app, 100, 10);
    let screen = text(&t);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("1 Browser   2 Compare   3 Editor   4 Push"),
        "the tabs: {screen}"
    );
    let bar = lines.last().copied().unwrap_or_default();
    assert!(
        bar.contains("q quit") && bar.contains("? help"),
        "the hints: {bar}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn app_error_notice_over_the_pane() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.notice = Some(Notice {
        level: NoticeLevel::Error,
        text: "keys.conf:3: unknown action \"qiut\"; `manifest-tui keys` lists every action name"
            .into(),
    });
    let t = app_frame(&app, 80, 12);
    let screen = text(&t);
    assert!(
        row(&screen, "╭ error").contains('╮') && screen.contains("keys.conf:3: unknown action"),
        "{screen}"
    );
    assert!(screen.contains("Esc/Enter dismiss"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn app_too_small() {
    let app = App::new(Keymap::default(), Theme::colored());
    let t = app_frame(&app, 30, 5);
    let screen = text(&t);
    assert!(
        screen.contains("terminal too small: 30×5, need") && screen.contains("40×8"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
    // Every size down to nothing draws without panicking.
    for w in 0..45 {
        for h in 0..12 {
            app_frame(&app, w, h);
        }
    }
}

#[test]
fn app_status_bar_with_the_pull_quota() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.rate_limits = vec![(
        "docker.io".into(),
        crate::registry::RateLimit {
            limit: Some(100),
            remaining: 87,
            window_secs: Some(21600),
        },
    )];
    let t = app_frame(&app, 100, 10);
    let bar = text(&t).lines().last().unwrap_or_default().to_string();
    assert!(
        bar.contains("docker.io pulls left 87/100") && bar.contains("q quit"),
        "{bar}"
    );
    insta::assert_snapshot!(t.backend());
    // Too narrow for hints and quota: the hints win.
    let t = app_frame(&app, 50, 10);
    let bar = text(&t).lines().last().unwrap_or_default().to_string();
    assert!(
        !bar.contains("pulls left") && bar.contains("o type host"),
        "{bar}"
    );
    insta::assert_snapshot!(t.backend());
}
