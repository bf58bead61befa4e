//! State transitions, key routing, stale replies, the keymap file, and colours.

use manifest_tui::ops::{DiffStatus, Source};
use manifest_tui::reference::Reference;
use manifest_tui::tui::app::{App, Control};
mod fixtures;
use fixtures::HOST;
use manifest_tui::tui::keymap::{Action, Context, KeyCombo, Keymap};
use manifest_tui::tui::pane::{AppEvent, Ctx, PaneId, Side, View};
use manifest_tui::tui::panes::compare;
use manifest_tui::tui::state::browser::{BrowserState, Level};
use manifest_tui::tui::state::compare::CompareState;
use manifest_tui::tui::state::list::{natural_cmp, FilterList};
use manifest_tui::tui::state::Load;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::{Command, Reply, RequestId, Slot, ToWorker, WorkerEvent};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use std::path::Path;

fn press(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    press(KeyCode::Char(c))
}

fn runs(outbox: &[ToWorker]) -> Vec<(RequestId, Slot, Command)> {
    outbox
        .iter()
        .filter_map(|m| match m {
            ToWorker::Run { id, slot, command } => Some((*id, *slot, command.clone())),
            _ => None,
        })
        .collect()
}

fn last_id(ctx: &Ctx, slot: Slot) -> RequestId {
    runs(&ctx.outbox)
        .into_iter()
        .rev()
        .find(|(_, s, _)| *s == slot)
        .map(|(id, _, _)| id)
        .expect("a request in that slot")
}

#[test]
fn starting_at_a_registry_streams_its_catalog() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.start(Some(HOST), None, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    let r = runs(&ctx.outbox);
    assert!(r.iter().any(|(_, slot, c)| *slot == Slot::Catalog
        && matches!(c, Command::Catalog { registry, page_size: 1000 } if registry == HOST)));
    s.reply(
        Slot::Catalog,
        Reply::CatalogPage {
            repos: fixtures::repo_names(100),
            done: false,
        },
        &Ctx::default(),
    );
    assert_eq!(s.catalog_load, Load::Partial);
    s.reply(
        Slot::Catalog,
        Reply::CatalogPage {
            repos: vec!["samples/app".into()],
            done: true,
        },
        &Ctx::default(),
    );
    assert_eq!(s.catalog_load, Load::Done);
    assert_eq!(s.catalog.total(), 101);
}

#[test]
fn a_stale_reply_is_dropped_and_the_old_request_cancelled() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::default();
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
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::default();
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
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::default();
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
fn back_clears_the_filter_before_leaving_the_level() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.registry = Some(HOST.into());
    s.level = Level::Catalog;
    s.catalog.extend(fixtures::repo_names(10));
    s.catalog.set_filter("team-1");
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    assert_eq!(s.catalog.filter(), "");
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Registries);
}

#[test]
fn natural_tag_order() {
    let mut v = vec!["v10", "v2", "v1", "v1.10", "v1.9", "latest"];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(v, ["latest", "v1", "v1.9", "v1.10", "v2", "v10"]);
}

#[test]
fn catalog_unavailable_lets_the_user_type_a_repository() {
    let mut s = no_catalog(&[]);
    assert!(s.field_focused());
    let mut ctx = Ctx::default();
    for c in "library/alpine".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    s.action(Action::Submit, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    assert_eq!(s.repo.as_deref(), Some("library/alpine"));
    assert!(runs(&ctx.outbox)
        .iter()
        .any(|(_, slot, _)| *slot == Slot::Tags));
}

#[test]
fn a_typed_registry_must_be_a_host() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.action(Action::OpenByName, &mut ctx);
    for c in "not a host".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().is_some_and(|p| p.error.is_some()));
    assert_eq!(s.level, Level::Registries);
}

#[test]
fn marking_a_then_b_compares_and_shows_the_comparison() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::default();
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
fn compare_swap_and_reply() {
    let mut s = CompareState::new();
    let mut ctx = Ctx::default();
    let r = |t: &str| {
        Source::Remote(Reference::parse(&format!("{HOST}/samples/app:{t}")).expect("ref"))
    };
    s.set_side(Side::A, r("v1"), &mut ctx);
    assert!(ctx.events.iter().any(|e| matches!(e, AppEvent::Notice(_))));
    s.set_side(Side::B, r("v2"), &mut ctx);
    assert!(ctx.events.contains(&AppEvent::Show(PaneId::Compare)));
    s.action(Action::Swap, &mut ctx);
    assert_eq!(s.a, Some(r("v2")));
    s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
    let counts: Vec<usize> = s.summary().unwrap().iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [1, 1, 1, 1, 1, 1, 1], "one row of each kind");
    s.action(Action::Down, &mut ctx);
    s.action(Action::CopyDigest, &mut ctx);
    let oci = fixtures::pair_details("v1-oci", 2).0.digest.to_string();
    assert!(ctx
        .events
        .iter()
        .any(|e| matches!(e, AppEvent::Copy(d) if *d == oci)));
}

#[test]
fn enter_opens_the_platform_diff_and_esc_goes_back() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.show(PaneId::Compare);
    let mut ctx = Ctx::default();
    let mut s = CompareState::new();
    s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
    // Row 2 is linux/arm64/v8: a new base layer.
    s.action(Action::Down, &mut ctx);
    s.action(Action::Down, &mut ctx);
    assert!(s.action(Action::Open, &mut ctx));
    let p = s.platform.as_ref().expect("the platform view is open");
    assert_eq!(p.row.platform.display(), "linux/arm64/v8");
    assert_eq!(s.contexts()[0], Context::PlatformDiff);
    // Scrolling moves the view, not the table's cursor.
    s.action(Action::Down, &mut ctx);
    assert_eq!(s.platform.as_ref().unwrap().scroll, 1);
    assert_eq!(s.selected.get(), 2);
    // A new comparison keeps the view on the same platform.
    s.reply(Reply::Compared(Box::new(fixtures::comparison_all_kinds())));
    assert_eq!(
        s.platform.as_ref().map(|p| p.row.platform.display()),
        Some("linux/arm64/v8".to_string())
    );
    assert!(s.action(Action::Back, &mut ctx));
    assert!(s.platform.is_none());
    assert_eq!(s.contexts()[0], Context::Compare);
    // Through the app and the key table: enter opens, esc closes, a second esc leaves.
    app.panes[1] = Box::new(manifest_tui::tui::panes::compare::ComparePane { state: s });
    app.key(press(KeyCode::Enter));
    assert_eq!(app.contexts()[0], Context::PlatformDiff);
    app.key(press(KeyCode::Esc));
    assert_eq!(app.contexts()[0], Context::Compare);
    assert_eq!(app.active_id(), PaneId::Compare);
}

#[test]
fn copying_a_digest_produces_an_osc52_write() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let b = manifest_tui::tui::panes::browser::BrowserPane::new(fixtures::browser_with_content(
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
    let osc = manifest_tui::tui::text::osc52(&clip[0]);
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
    let b = manifest_tui::tui::panes::browser::BrowserPane::new(fixtures::browser_with_content(
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
fn keymap_overrides_and_errors() {
    let mut km = Keymap::default();
    let errs = km.apply(
        Path::new("keys.conf"),
        "# comment\nlist down ctrl-n,down\nglobal quit ctrl-q\nglobal qiut x\nnowhere quit x\nlist up\nbrowser open f99\n",
    );
    assert_eq!(
        km.lookup(
            Context::List,
            &KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)
        ),
        Some(Action::Down)
    );
    assert_eq!(km.lookup(Context::List, &ch('j')), None);
    assert_eq!(km.lookup(Context::Global, &ch('q')), None);
    assert_eq!(
        km.lookup(
            Context::Global,
            &KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)
        ),
        Some(Action::Quit)
    );
    let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 5, 6, 7], "{errs:?}");
    assert!(errs[0]
        .to_string()
        .contains("keys.conf:4: unknown action \"qiut\""));
    // Uppercase letters arrive with SHIFT; BackTab too.
    let mut g = ch('G');
    g.modifiers = KeyModifiers::SHIFT;
    assert_eq!(
        Keymap::default().lookup(Context::List, &g),
        Some(Action::Bottom)
    );
    assert_eq!(
        KeyCombo::parse("shift-tab").map(|k| k.code),
        Ok(KeyCode::BackTab)
    );
}

#[test]
fn every_default_binding_is_documented_and_unambiguous() {
    let km = Keymap::default();
    for b in km.bindings() {
        assert!(!b.description.is_empty());
        assert!(!b.keys.is_empty());
        // No key bound twice within one context.
        for other in km.in_context(b.context) {
            if other.action != b.action {
                assert!(
                    b.keys.iter().all(|k| !other.keys.contains(k)),
                    "{:?} {:?} {:?}",
                    b.context,
                    b.action,
                    other.action
                );
            }
        }
    }
    assert!(km.markdown().contains("| `q` | quit |"));
}

fn compare_buffer(theme: Theme) -> ratatui::buffer::Buffer {
    let mut s = CompareState::new();
    s.result = Some(fixtures::comparison_all_kinds());
    s.selected.set(4); // keep the selection off the rows we check
    s.load = Load::Done;
    let keymap = Keymap::default();
    let view = View {
        theme: &theme,
        keymap: &keymap,
        spinner: 0,
    };
    let mut term = Terminal::new(TestBackend::new(100, 12)).expect("terminal");
    term.draw(|f| compare::draw(f, f.area(), &s, &view))
        .expect("draw");
    term.backend().buffer().clone()
}

fn row_of(buf: &ratatui::buffer::Buffer, needle: &str) -> u16 {
    (0..buf.area.height)
        .find(|&y| {
            let line: String = (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            line.contains(needle)
        })
        .unwrap_or_else(|| panic!("no row with {needle}"))
}

#[test]
fn changed_rows_are_highlighted_and_same_rows_muted() {
    let theme = Theme::colored();
    let buf = compare_buffer(theme);
    let changed = row_of(&buf, "linux/arm64/v8");
    let same = row_of(&buf, "linux/amd64 ");
    let only_a = row_of(&buf, "linux/ppc64le");
    let only_b = row_of(&buf, "linux/riscv64");
    let x = 3; // inside the platform column
    assert_eq!(buf[(x, changed)].fg, theme.changed.fg.expect("a colour"));
    assert!(buf[(x, changed)]
        .modifier
        .contains(ratatui::style::Modifier::BOLD));
    assert_eq!(buf[(x, same)].fg, theme.muted.fg.expect("a colour"));
    assert_eq!(buf[(x, only_a)].fg, theme.only_a.fg.expect("a colour"));
    assert_eq!(buf[(x, only_b)].fg, theme.only_b.fg.expect("a colour"));
    assert_ne!(buf[(x, changed)].fg, buf[(x, same)].fg);
    assert_eq!(
        compare::row_style(&theme, DiffStatus::Changed),
        theme.changed
    );
}

#[test]
fn no_color_keeps_the_distinction_with_modifiers_only() {
    let theme = Theme::monochrome();
    let buf = compare_buffer(theme);
    let changed = row_of(&buf, "linux/arm64/v8");
    let same = row_of(&buf, "linux/amd64 ");
    assert_eq!(buf[(3, changed)].fg, ratatui::style::Color::Reset);
    assert!(buf[(3, changed)]
        .modifier
        .contains(ratatui::style::Modifier::BOLD));
    assert!(buf[(3, same)]
        .modifier
        .contains(ratatui::style::Modifier::DIM));
}

#[test]
fn registries_come_from_config_and_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"auths":{"https://index.docker.io/v1/":{},"ghcr.io":{},"127.0.0.1:5000":{}}}"#,
    )
    .expect("write");
    let hist = dir.path().join("state/registries");
    manifest_tui::tui::worker::remember(&hist, "127.0.0.1:5000").expect("remember");
    manifest_tui::tui::worker::remember(&hist, "http://localhost:5001/").expect("remember");
    let list = manifest_tui::tui::worker::known_registries(dir.path(), Some(&hist));
    let hosts: Vec<&str> = list.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        hosts,
        ["localhost:5001", "127.0.0.1:5000", "docker.io", "ghcr.io"]
    );
}

#[test]
fn inert_neutralises_escape_sequences() {
    let s = manifest_tui::tui::text::inert("tag\x1b]52;c;AAAA\x07\u{9b}31m\u{202e}x");
    assert!(
        !s.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{s:?}"
    );
}

#[test]
fn rate_limits_update_the_status_bar_whichever_request_they_follow() {
    use manifest_tui::registry::RateLimit;
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

#[test]
fn without_a_catalog_the_recent_repositories_are_offered() {
    let mut s = no_catalog(&["library/alpine", "team/app"]);
    // The recent ones are listed, the prompt is not forced on the user.
    assert!(!s.field_focused());
    assert_eq!(s.level, Level::Catalog);
    assert_eq!(s.catalog.total(), 2);
    assert!(s.catalog_unavailable.is_some());
    // Enter opens the selected one (the second, after a step down).
    let mut ctx = Ctx::default();
    s.action(Action::Down, &mut ctx);
    s.action(Action::Open, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    assert_eq!(s.repo.as_deref(), Some("team/app"));
    let tags: Vec<_> = runs(&ctx.outbox)
        .into_iter()
        .filter(|(_, slot, _)| *slot == Slot::Tags)
        .collect();
    assert!(
        matches!(&tags[..], [(_, _, Command::Tags { repo, .. })] if repo.path == "team/app" && repo.domain == "docker.io"),
        "{tags:?}"
    );
    // Back at the registry level, the open-by-name key still prompts for another one.
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    s.action(Action::OpenByName, &mut ctx);
    assert!(s.field_focused());
}

#[test]
fn recent_repositories_are_kept_per_registry_bounded_and_never_fatal() {
    use manifest_tui::tui::worker::{
        recent_repositories, remember_repository, RECENT_PER_REGISTRY,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state/manifest-tui/recent.json");
    assert!(recent_repositories(&file, "docker.io").is_empty());
    remember_repository(&file, "docker.io", "library/alpine").expect("remember");
    remember_repository(&file, "ghcr.io", "org/tool").expect("remember");
    remember_repository(&file, "https://index.docker.io/v1/", "team/app").expect("remember");
    remember_repository(&file, "docker.io", "library/alpine").expect("remember");
    assert_eq!(
        recent_repositories(&file, "docker.io"),
        ["library/alpine", "team/app"],
        "most recent first, each once, Docker Hub's names as one"
    );
    assert_eq!(recent_repositories(&file, "ghcr.io"), ["org/tool"]);
    for i in 0..(RECENT_PER_REGISTRY + 5) {
        remember_repository(&file, "docker.io", &format!("r/{i}")).expect("remember");
    }
    let kept = recent_repositories(&file, "docker.io");
    assert_eq!(kept.len(), RECENT_PER_REGISTRY);
    assert_eq!(kept[0], format!("r/{}", RECENT_PER_REGISTRY + 4));
    assert_eq!(recent_repositories(&file, "ghcr.io"), ["org/tool"]);
    // Written whole: no temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(file.parent().expect("dir"))
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["recent.json"]);
    // A damaged file reads as empty and is replaced by the next write.
    std::fs::write(&file, b"{not json").expect("damage");
    assert!(recent_repositories(&file, "docker.io").is_empty());
    remember_repository(&file, "docker.io", "library/busybox").expect("remember over it");
    assert_eq!(recent_repositories(&file, "docker.io"), ["library/busybox"]);
    // An unreadable location is an error for the write only, never a panic.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"x").expect("write");
    assert!(recent_repositories(&blocked.join("recent.json"), "docker.io").is_empty());
    assert!(remember_repository(&blocked.join("recent.json"), "docker.io", "x").is_err());
}

fn type_into(s: &mut BrowserState, text: &str) {
    for c in text.chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
}

fn copy_jobs(ctx: &Ctx) -> Vec<manifest_tui::ops::CopyJob> {
    ctx.events
        .iter()
        .filter_map(|e| match e {
            AppEvent::StartTransfer(j) => match &**j {
                manifest_tui::tui::pane::Transfer::Copy(j) => Some(j.clone()),
                manifest_tui::tui::pane::Transfer::Push { .. } => None,
            },
            _ => None,
        })
        .collect()
}

/// `c` on a list: the destination prompt completes a registry seen (Tab), refuses a digest,
/// then the checklist holds every platform checked; unchecking one makes a filtered copy,
/// leaving all checked makes the exact one (no platforms).
#[test]
fn browser_copy_prompt_completes_and_the_checklist_picks_platforms() {
    use manifest_tui::tui::worker::RegistrySource;
    let mut s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    s.reply(
        Slot::Registries,
        Reply::Registries(vec![("127.0.0.1:6000".into(), RegistrySource::History)]),
        &Ctx::default(),
    );
    let mut ctx = Ctx::default();
    assert!(s.action(Action::CopyImage, &mut ctx));
    assert!(s.field_focused(), "the destination prompt has focus");
    type_into(&mut s, "127.0.0.1:6");
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(
        s.prompt().unwrap().field.value(),
        "127.0.0.1:6000/",
        "Tab completes the registry seen"
    );
    type_into(
        &mut s,
        "team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    );
    s.action(Action::Submit, &mut ctx);
    let err = s.prompt().and_then(|p| p.error.clone());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("copy to a tag")),
        "{err:?}"
    );
    for _ in 0..72 {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    }
    type_into(&mut s, ":rc-1");
    assert_eq!(
        s.prompt().unwrap().field.value(),
        "127.0.0.1:6000/team/app:rc-1"
    );
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().is_none());
    let c = s.checklist().expect("the platform checklist");
    assert_eq!(c.platforms.len(), 6);
    assert!(c.platforms.iter().all(|p| p.1), "all checked by default");
    assert_eq!(s.contexts()[0], Context::Checklist);
    // Uncheck the second platform, then start.
    s.action(Action::Down, &mut ctx);
    s.action(Action::Toggle, &mut ctx);
    let second = s.checklist().unwrap().platforms[1].0.clone();
    s.action(Action::Submit, &mut ctx);
    assert!(s.checklist().is_none());
    let jobs = copy_jobs(&ctx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].src.to_string(), format!("{HOST}/samples/app:v1"));
    assert_eq!(jobs[0].dst.to_string(), "127.0.0.1:6000/team/app:rc-1");
    assert_eq!(jobs[0].options.platforms.len(), 5);
    assert!(!jobs[0].options.platforms.contains(&second));

    // Every platform checked: the exact copy.
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    type_into(&mut s, "127.0.0.1:6000/team/app");
    s.action(Action::Submit, &mut ctx);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0].options.platforms.is_empty(),
        "{:?}",
        jobs[0].options.platforms
    );
    // Nothing checked is refused.
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    type_into(&mut s, "127.0.0.1:6000/team/app");
    s.action(Action::Submit, &mut ctx);
    for _ in 0..6 {
        s.action(Action::Toggle, &mut ctx);
        s.action(Action::Down, &mut ctx);
    }
    s.action(Action::Submit, &mut ctx);
    assert!(copy_jobs(&ctx).is_empty());
    assert!(s.checklist().unwrap().error.is_some());
    s.action(Action::Cancel, &mut ctx);
    assert!(s.checklist().is_none());
}

/// A release with a known signature: the checklist's last row (what refers to it) starts
/// checked and goes into the job; unchecked, the job copies without referrers. A single
/// image with a referrer gets the row alone; one without copies at once, as before.
#[test]
fn browser_copy_checklist_brings_referrers_when_asked() {
    let start = |s: &mut BrowserState, ctx: &mut Ctx| {
        s.action(Action::CopyImage, ctx);
        type_into(s, "127.0.0.1:6000/promoted/attested:v1");
        s.action(Action::Submit, ctx);
    };
    let mut s = fixtures::attested_browser();
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = Some(Ok(fixtures::signature_referrers()));
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    let c = s.checklist().expect("the checklist");
    assert_eq!(c.platforms.len(), 6);
    assert!(c.referrers, "a known referrer checks the row");
    assert_eq!(c.known_referrers, vec!["signature".to_string()]);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert!(
        jobs[0].options.referrers && jobs[0].options.platforms.is_empty(),
        "{jobs:?}"
    );

    // Down past the six platforms to the referrers row, Space: unchecked.
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    for _ in 0..6 {
        s.action(Action::Down, &mut ctx);
    }
    s.action(Action::Toggle, &mut ctx);
    let c = s.checklist().unwrap();
    assert!(!c.referrers && c.platforms.iter().all(|p| p.1));
    s.action(Action::Submit, &mut ctx);
    assert!(!copy_jobs(&ctx)[0].options.referrers);

    // A single image: no platforms to pick, the referrers row only.
    let mut s = fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_image("linux/amd64", "v1")),
        Load::Done,
    );
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = Some(Ok(fixtures::signature_referrers()));
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    let c = s.checklist().expect("the referrers row");
    assert!(c.platforms.is_empty() && c.referrers);
    s.action(Action::Toggle, &mut ctx);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert!(
        !jobs[0].options.referrers && jobs[0].options.platforms.is_empty(),
        "{jobs:?}"
    );
    // Without a referrer seen: at once.
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = None;
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    assert!(s.checklist().is_none());
    assert_eq!(copy_jobs(&ctx).len(), 1);
}

/// The browser on samples/app's tags, v1 selected.
fn browser_on_tags() -> BrowserState {
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    s
}

/// `D` on a tag asks the worker what goes, shows the question (the Confirm keys), Esc keeps
/// it, y deletes by the plan; the reply reloads the tags shown.
#[test]
fn browser_delete_asks_first_then_deletes_and_the_tags_reload() {
    use manifest_tui::digest::Digest;
    use manifest_tui::ops::DeletePlan;
    use manifest_tui::registry::Repo;
    use manifest_tui::tui::state::browser::{DeleteConfirm, Overlay};
    let mut s = browser_on_tags();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Delete, &mut ctx));
    let r = runs(&ctx.outbox);
    let v1 = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
    assert!(
        matches!(&r[..], [(_, Slot::Delete, Command::DeletePlan { reference })] if *reference == v1),
        "{r:?}"
    );
    let d = Digest::sha256(b"list");
    let plan = DeletePlan {
        target: v1.at_digest(&d),
        digest: d,
        tags: vec!["v1".into(), "v1-oci".into()],
        by_tag: Some("v1".into()),
    };
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert_eq!(s.contexts(), vec![Context::Confirm]);
    s.action(Action::Cancel, &mut ctx);
    assert!(s.delete().is_none(), "Esc keeps it");
    s.overlay = Some(Overlay::Delete(DeleteConfirm::Ask(Box::new(plan.clone()))));
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Submit, &mut ctx));
    let r = runs(&ctx.outbox);
    assert!(
        matches!(&r[..], [(_, Slot::Delete, Command::Delete { plan: p })] if *p == plan),
        "{r:?}"
    );
    s.change_reply(Slot::Delete, Reply::Deleted(Box::new(plan)), &mut ctx);
    assert!(s.delete().is_none());
    let repo = Repo::of(&v1);
    assert!(ctx.events.contains(&AppEvent::TagsChanged(repo.clone())));
    let mut ctx = Ctx::default();
    s.tags_changed(&repo, &mut ctx);
    assert!(
        matches!(
            &runs(&ctx.outbox)[..],
            [(_, Slot::Tags, Command::Tags { .. })]
        ),
        "the tags are read again"
    );
    assert_eq!(s.level, Level::Tags);
}

/// A delete holds the keys from the moment it is asked for: the referrers panel cannot open
/// under it (it once could, and then the status bar showed the question's keys while the
/// panel took them). Esc while the plan is read cancels that request, and a plan arriving
/// after that opens nothing; Esc while deleting only closes the window, and the end still
/// reloads the tags.
#[test]
fn a_delete_holds_the_keys_from_its_plan_to_its_end() {
    use manifest_tui::digest::Digest;
    use manifest_tui::ops::DeletePlan;
    use manifest_tui::registry::Repo;
    use manifest_tui::tui::state::browser::{DeleteConfirm, Focus};
    let mut s = fixtures::browser_on_webapp(fixtures::webapp_list());
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Delete, &mut ctx));
    assert_eq!(s.focus(), Focus::Overlay);
    assert_eq!(s.contexts(), vec![Context::Confirm]);
    assert!(
        !s.action(Action::Referrers, &mut ctx),
        "no panel under a delete"
    );
    assert!(s.referrers_panel().is_none());
    assert!(matches!(s.delete(), Some(DeleteConfirm::Planning(_))));
    let plan_id = last_id(&ctx, Slot::Delete);
    assert!(s.action(Action::Cancel, &mut ctx));
    assert!(s.delete().is_none());
    assert!(ctx
        .outbox
        .iter()
        .any(|m| matches!(m, ToWorker::Cancel(id) if *id == plan_id)));
    let shown = s.shown().cloned().expect("shown");
    let d = Digest::sha256(b"list");
    let plan = DeletePlan {
        target: shown.at_digest(&d),
        digest: d,
        tags: vec!["v1".into()],
        by_tag: Some("v1".into()),
    };
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert!(s.delete().is_none(), "a cancelled plan opens nothing");
    assert_eq!(s.focus(), Focus::Level);

    assert!(s.action(Action::Delete, &mut ctx));
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(matches!(s.delete(), Some(DeleteConfirm::Deleting(_))));
    assert!(s.busy());
    assert!(s.action(Action::Cancel, &mut ctx), "closes the window");
    assert!(s.delete().is_none());
    let mut ctx = Ctx::default();
    s.change_reply(Slot::Delete, Reply::Deleted(Box::new(plan)), &mut ctx);
    assert!(ctx
        .events
        .contains(&AppEvent::TagsChanged(Repo::of(&shown))));
    assert_eq!(s.level, Level::Tags, "what was shown is gone");
}

/// The attested release's first platform opened from its list (its attestations'
/// statements asked for, and still on their way) and its content arrived.
fn attested_platform_shown(ctx: &mut Ctx) -> BrowserState {
    let mut s = fixtures::attested_browser();
    s.level = Level::Content;
    assert!(s.action(Action::Open, ctx), "the first platform");
    assert_eq!(*s.view.as_ref().unwrap().statements.load(), Load::Loading);
    let img = fixtures::attested_image_browser()
        .content()
        .cloned()
        .unwrap();
    s.reply(
        Slot::Content,
        Reply::Inspected(Box::new(img)),
        &Ctx::default(),
    );
    s
}

/// Refresh on a platform opened from its list asks for its attestations' statements again
/// with the manifest (they were once dropped: the Attestations section vanished until the
/// platform was opened again from its list).
#[test]
fn refresh_on_a_platform_asks_for_its_statements_again() {
    let mut s = attested_platform_shown(&mut Ctx::default());
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Refresh, &mut ctx));
    let slots: Vec<Slot> = runs(&ctx.outbox).iter().map(|r| r.1).collect();
    assert_eq!(slots, vec![Slot::Content, Slot::Statements], "{slots:?}");
    let v = s.view.as_ref().expect("a view");
    assert!(v.content.busy() && v.statements.busy());
}

/// `t`: new tags in a prompt; a bad tag is refused in place, good ones go to the worker.
#[test]
fn browser_retag_prompt_sends_the_new_tags() {
    let mut s = browser_on_tags();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Retag, &mut ctx));
    type_into(&mut s, "stable bad:tag");
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().unwrap().error.is_some());
    assert!(runs(&ctx.outbox).is_empty());
    for _ in 0..7 {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    }
    type_into(&mut s, "v1-2024-06");
    s.action(Action::Submit, &mut ctx);
    let r = runs(&ctx.outbox);
    assert!(
        matches!(&r[..], [(_, Slot::Retag, Command::Retag { src, tags })]
            if src.tag.as_deref() == Some("v1") && tags == &["stable", "v1-2024-06"]),
        "{r:?}"
    );
}

/// The push view follows a copy: its rows come from the plan, a failure keeps the job and
/// r runs the same copy again; success reports the digest and reloads the target's tags.
#[test]
fn push_view_runs_a_copy_and_retries_it_unchanged() {
    use manifest_tui::ops::{CopiedEntry, CopyReport};
    use manifest_tui::ops::{CopyJob, CopyOptions};
    use manifest_tui::platform::Platform;
    use manifest_tui::tui::pane::Transfer;
    use manifest_tui::tui::state::push::{PushState, PushStatus};
    let src = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
    let dst = Reference::parse("127.0.0.1:6000/team/app:v1").unwrap();
    let job = CopyJob {
        src: src.clone(),
        dst: dst.clone(),
        options: CopyOptions {
            platforms: vec![Platform::parse("linux/arm64").unwrap()],
            referrers: false,
        },
    };
    let mut p = PushState::new();
    let mut ctx = Ctx::default();
    assert!(p.start(Transfer::Copy(job.clone()), &mut ctx));
    let copy_cmd = |ctx: &Ctx| {
        runs(&ctx.outbox)
            .into_iter()
            .filter_map(|(_, slot, c)| match c {
                Command::Copy(job) if slot == Slot::Push => Some(job),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(copy_cmd(&ctx), vec![job.clone()]);
    assert!(p.busy());
    let d = manifest_tui::digest::Digest::sha256(b"arm64");
    let report = CopyReport {
        source: src.clone(),
        target: dst.clone(),
        source_digest: manifest_tui::digest::Digest::sha256(b"src"),
        digest: manifest_tui::digest::Digest::sha256(b"new"),
        entries: vec![CopiedEntry {
            platform: Platform::parse("linux/arm64").unwrap(),
            digest: d.clone(),
            media_type: manifest_tui::media::OCI_MANIFEST.into(),
            describes: None,
        }],
        changed: Some("a new index".into()),
        unchanged: false,
        referrers: Vec::new(),
        referrer_notes: Vec::new(),
        tag_scheme: Vec::new(),
    };
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].platform, "linux/arm64");
    p.reply(Reply::Failed("connection reset".into()), &mut ctx);
    assert!(matches!(p.status, PushStatus::Failed(_)));
    let mut ctx = Ctx::default();
    assert!(p.action(Action::Retry, &mut ctx));
    assert_eq!(copy_cmd(&ctx), vec![job], "r runs the same copy again");
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    p.reply(Reply::Copied(Box::new(report.clone())), &mut ctx);
    assert!(matches!(p.status, PushStatus::Copied(_)));
    assert_eq!(p.list_digest.as_ref(), Some(&report.digest));
    assert!(p.rows[0].done());
    assert!(ctx
        .events
        .contains(&AppEvent::TagsChanged(manifest_tui::registry::Repo::of(
            &dst
        ))));
}

/// The referrers of the content shown come as a second reply of the same request, after the
/// content is on screen, and land in its header.
#[test]
fn referrers_arrive_after_the_content_and_show_in_its_header() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.repo = Some("samples/webapp".into());
    b.state.level = Level::Tags;
    b.state.tags.extend(["v1".to_string()]);
    b.state.tags_load = Load::Done;
    app.panes[0] = Box::new(b);
    app.key(press(KeyCode::Enter));
    let inspect = last_id(&app.ctx, Slot::Content);
    app.worker_event(WorkerEvent {
        id: inspect,
        slot: Slot::Content,
        last: false,
        reply: Reply::Inspected(Box::new(fixtures::webapp_list())),
    });
    let dropped = app.ctx.requests.dropped;
    let mut sig = manifest_tui::media::RawManifest::new(
        b"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},\"layers\":[]}".to_vec(),
        "application/vnd.oci.image.manifest.v1+json",
    )
    .expect("manifest")
    .descriptor();
    sig.artifact_type = Some("application/vnd.dev.sigstore.bundle.v0.3+json".into());
    app.worker_event(WorkerEvent {
        id: inspect,
        slot: Slot::Content,
        last: true,
        reply: Reply::Referrers(Ok(manifest_tui::registry::Referrers {
            via: manifest_tui::registry::ReferrersVia::Api,
            descriptors: vec![sig],
            index: None,
        })),
    });
    assert_eq!(
        app.ctx.requests.dropped, dropped,
        "the second reply is taken"
    );
    let mut term = Terminal::new(TestBackend::new(220, 10)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let screen = format!("{}", term.backend());
    assert!(
        screen.contains(
            "referred to by 1: application/vnd.dev.sigstore.bundle.v0.3+json (referrers API)"
        ),
        "{screen}"
    );
}

/// The browser started at docker.io, whose catalog is refused, with these recent ones.
fn no_catalog(recent: &[&str]) -> BrowserState {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.start(Some("docker.io"), None, &mut ctx);
    s.reply(
        Slot::Catalog,
        Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: recent.iter().map(|r| r.to_string()).collect(),
        },
        &Ctx::default(),
    );
    s
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
    s.registry = Some(HOST.into());
    s.repo = Some("samples/app".into());
    s.level = Level::Tags;
    s.tags = FilterList::from_items(
        (0..TAGS)
            .map(|i| format!("1.{}.{}-build{i:05}", i / 100, i % 100))
            .collect::<Vec<String>>(),
    );
    s.tags_load = Load::Done;
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

/// `R` opens the panel of what refers to the list shown; Enter opens the selected referrer
/// (`repo@digest`, in the same repository) as the content, its own referrers to follow; Back
/// there returns to the list as it was, the panel open on the same row, without asking the
/// registry again; Esc closes the panel, and Back then leaves for the tags.
#[test]
fn referrers_panel_opens_a_referrer_and_back_returns_to_it() {
    let a = mt_testkit::samples::attest::attested();
    let mut s = fixtures::attested_browser();
    s.level = Level::Content;
    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(fixtures::signature_referrers()));
    fixtures::view(&mut s).sel.set(2);
    let list = s.shown().cloned().expect("shown");
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Referrers, &mut ctx));
    assert_eq!(s.contexts(), vec![Context::Referrers, Context::List]);
    let rows = s.referrers_shown();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "signature");
    assert_eq!(rows[0].digest, a.signature.digest);
    assert_eq!(rows[0].created.as_deref(), Some("2026-11-30T10:05:00Z"));
    // Moving stays on the one row; y copies its digest.
    assert!(s.action(Action::Down, &mut ctx));
    assert_eq!(s.referrers_panel().map(|c| c.get()), Some(0));
    assert!(s.action(Action::CopyDigest, &mut ctx));
    assert!(ctx
        .events
        .contains(&AppEvent::Copy(a.signature.digest.to_string())));

    assert!(s.action(Action::Open, &mut ctx));
    let sig = list.at_digest(&a.signature.digest);
    assert_eq!(s.shown(), Some(&sig));
    assert_eq!(s.level, Level::Content);
    assert!(
        s.referrers_panel().is_none()
            && s.content().is_none()
            && s.view.as_ref().unwrap().details.value().is_none()
    );
    assert!(runs(&ctx.outbox)
        .iter()
        .any(|(_, slot, c)| *slot == Slot::Content
            && matches!(c, Command::Inspect { reference } if *reference == sig)));
    // Its content arrives (its own referrers after it, as for any manifest shown).
    s.reply(
        Slot::Content,
        Reply::Inspected(Box::new(
            fixtures::signature_image_browser()
                .content()
                .cloned()
                .unwrap(),
        )),
        &Ctx::default(),
    );
    assert!(s.view.as_ref().unwrap().referrers_pending());

    let sent = runs(&ctx.outbox).len();
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.shown(), Some(&list), "back at the list");
    assert_eq!(s.level, Level::Content);
    assert_eq!(
        s.view.as_ref().unwrap().sel.get(),
        2,
        "on the row it was on"
    );
    assert_eq!(*s.view.as_ref().unwrap().details.load(), Load::Done);
    assert_eq!(
        s.view.as_ref().unwrap().details.value().map(Vec::len),
        Some(12)
    );
    assert!(s.content().is_some_and(|c| c.referrers.is_some()));
    assert_eq!(s.referrers_panel().map(|c| c.get()), Some(0));
    assert_eq!(
        runs(&ctx.outbox).len(),
        sent,
        "nothing asked again: {:?}",
        &runs(&ctx.outbox)[sent..]
    );

    assert!(s.action(Action::Close, &mut ctx));
    assert!(s.referrers_panel().is_none());
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.level, Level::Tags);
}

/// A platform opened from its list, its attestations' statements still on their way when a
/// referrer is opened: back at the platform they are asked for again.
#[test]
fn back_from_a_referrer_asks_again_for_what_had_not_arrived() {
    let mut ctx = Ctx::default();
    let mut s = attested_platform_shown(&mut ctx);
    let platform = s.shown().cloned().expect("shown");
    s.reply(
        Slot::Content,
        Reply::Referrers(Ok(fixtures::signature_referrers())),
        &Ctx::default(),
    );
    assert!(s.action(Action::Referrers, &mut ctx));
    assert!(s.action(Action::Open, &mut ctx));
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.shown(), Some(&platform));
    assert_eq!(*s.view.as_ref().unwrap().statements.load(), Load::Loading);
    let (_, _, last) = runs(&ctx.outbox)
        .into_iter()
        .rev()
        .find(|(_, slot, _)| *slot == Slot::Statements)
        .expect("statements asked");
    assert!(
        matches!(&last, Command::Statements { attestations, .. } if attestations.len() == 1),
        "{last:?}"
    );
    let asked = runs(&ctx.outbox)
        .iter()
        .filter(|(_, slot, _)| *slot == Slot::Statements)
        .count();
    assert_eq!(
        asked, 2,
        "once on opening the platform, once on coming back"
    );
}

/// Through the app and the key table: R opens the panel, its Esc closes it and the next Esc
/// leaves the content; Enter in the panel opens the referrer.
#[test]
fn referrers_panel_keys_through_the_app() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = manifest_tui::tui::panes::browser::BrowserPane::new(fixtures::attested_browser());
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
