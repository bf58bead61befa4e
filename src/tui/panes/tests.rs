//! Across the panes: every message that names a key takes it from the key table.

use crate::reference::Reference;
use crate::tui::keymap::Context;
use crate::tui::keymap::Keymap;
use crate::tui::pane::View;
use crate::tui::panes::browser;
use crate::tui::panes::help;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::browser::Level;
use crate::tui::state::Load;
use crate::tui::test_fixtures::{self as fixtures, catalog_state, text, HOST};
use crate::tui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Every message that names a key takes it from the key table: with every such action
/// rebound (F-keys, Alt- and Ctrl- combinations), the panes' hints, the notices and the
/// prompts name the new keys, and no default key is spelled anywhere in them.
#[test]
fn messages_name_the_keys_of_a_custom_keymap() {
    use crate::tui::keymap::Action;
    use crate::tui::pane::{AppEvent, Ctx, Transfer};
    use crate::tui::panes::{editor, push};
    use crate::tui::state::editor::EditorState;
    use crate::tui::state::push::{PushState, PushStatus};
    use fixtures::sample_draft;
    let conf = "\
push cancel-push f2
push retry f3
push copy-digest f4
editor push alt-p
editor add-entry alt-a
editor new-list alt-n
editor new-oci-list alt-m
editor open alt-o
editor delete alt-d
editor cycle-format alt-f
editor rename alt-e
editor refresh alt-u
tags send-to-editor alt-s
field submit f5
field cancel f6
checklist toggle f7
checklist submit f8
checklist cancel f9
confirm submit f10
confirm cancel f11
help close f12
browser back alt-b
browser refresh alt-g
form complete ctrl-t
list up alt-k
list down alt-j
";
    let mut km = Keymap::default();
    let errors = km.apply(std::path::Path::new("keys.conf"), conf);
    assert!(errors.is_empty(), "{errors:?}");
    let theme = Theme::colored();
    let draw = |w: u16, h: u16, f: &dyn Fn(&mut ratatui::Frame, &View)| {
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        let view = View {
            theme: &theme,
            keymap: &km,
            spinner: 0,
        };
        term.draw(|frame| f(frame, &view)).expect("draw");
        text(&term)
    };
    let ctx = || Ctx {
        keymap: std::sync::Arc::new(km.clone()),
        ..Ctx::default()
    };
    let notices = |ctx: &Ctx| -> Vec<String> {
        ctx.events
            .iter()
            .filter_map(|e| match e {
                AppEvent::Notice(n) => Some(n.text.clone()),
                _ => None,
            })
            .collect()
    };
    // (what, the text shown, a phrase it must hold with the rebound key)
    let mut seen: Vec<(&str, String, &str)> = Vec::new();

    // The push view: idle, running, failed, cancelled; a second push refused; no retry.
    let mut p = PushState::default();
    let pv = |p: &PushState| draw(100, 10, &|f, v| push::draw(f, f.area(), p, v));
    seen.push(("push idle", pv(&p), "Alt-p pushes the selected list"));
    let mut c = ctx();
    p.action(Action::Retry, &mut c);
    seen.push((
        "nothing to retry",
        notices(&c).join("\n"),
        "draft editor (Alt-p)",
    ));
    let draft = sample_draft(HOST, "myapp:v1");
    let job = Transfer::Push {
        list: draft.list.clone(),
        purge: false,
    };
    assert!(p.start(job.clone(), &mut ctx()));
    p.started(&draft, false);
    seen.push(("push running", pv(&p), "(F2 cancels)"));
    let mut c = ctx();
    assert!(!p.start(job, &mut c));
    seen.push((
        "push refused",
        notices(&c).join("\n"),
        "(F2 in the push view)",
    ));
    let mut c = ctx();
    p.action(Action::CancelPush, &mut c);
    seen.push((
        "push cancelled",
        notices(&c).join("\n"),
        "(F3 pushes again)",
    ));
    seen.push(("push cancelled view", pv(&p), "F3 pushes again"));
    p.status = PushStatus::Failed("connection refused".into());
    seen.push(("push failed", pv(&p), "(F3 retries"));

    // The draft editor: no lists, a list without entries, the confirm question.
    let mut e = EditorState::new();
    let ev = |e: &EditorState| draw(120, 20, &|f, v| editor::draw(f, f.area(), e, v));
    e.set_rows(Vec::new(), None);
    seen.push((
        "editor empty",
        ev(&e),
        "by reference (Alt-a) or from the browser (Alt-s on a tag)",
    ));
    seen.push(("editor no lists", ev(&e), "Alt-n: new Docker list"));
    seen.push(("editor no lists (OCI)", ev(&e), "Alt-m: new OCI index"));
    let mut c = ctx();
    e.action(Action::AddEntry, &mut c);
    seen.push((
        "add without a list",
        notices(&c).join("\n"),
        "create a list first: Alt-n (Docker list) or Alt-m (OCI index)",
    ));
    let mut empty = sample_draft(HOST, "empty:v1");
    empty.entries.clear();
    e.set_rows(
        vec![crate::tui::worker::DraftRow {
            dir_name: "x".into(),
            draft: Ok(empty),
        }],
        None,
    );
    seen.push(("editor no entries", ev(&e), "press Alt-a to add images"));
    seen.push((
        "editor hints",
        ev(&e),
        "Alt-n new list · Alt-a add · Alt-o annotate",
    ));
    let mut c = ctx();
    e.action(Action::Push, &mut c);
    seen.push((
        "push refused by the editor",
        notices(&c).join("\n"),
        "(Alt-o on an entry annotates it, Alt-d removes it)",
    ));
    e.action(Action::AddEntry, &mut ctx());
    seen.push(("editor add prompt", ev(&e), "(Ctrl-t completes)"));
    e.action(Action::Cancel, &mut ctx());
    e.action(Action::Delete, &mut ctx());
    seen.push(("editor confirm", ev(&e), "F5: yes   F6: no"));

    // The browser: the copy prompt, the checklist and its refusal, a failed load, the delete
    // question.
    let mut s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    let bv = |s: &BrowserState| draw(110, 16, &|f, v| browser::draw(f, f.area(), s, v));
    let mut c = ctx();
    s.action(Action::CopyImage, &mut c);
    seen.push(("copy prompt", bv(&s), "(Ctrl-t completes;"));
    s.paste("127.0.0.1:6000/team/app:rc-1");
    s.action(Action::Submit, &mut c);
    seen.push(("checklist", bv(&s), "F7: check   F8: copy   F9: cancel"));
    for _ in 0..6 {
        s.action(Action::Toggle, &mut c);
        s.action(Action::Down, &mut c);
    }
    s.action(Action::Submit, &mut c);
    seen.push(("checklist refusal", bv(&s), "(F7), or F9 to cancel"));
    let mut s = catalog_state();
    s.catalog_load = Load::Failed("connection refused".into());
    seen.push(("failed load", bv(&s), "Alt-g retries"));
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    let d = crate::digest::Digest::sha256(b"list");
    s.overlay = Some(crate::tui::state::browser::Overlay::Delete(
        crate::tui::state::browser::DeleteConfirm::Ask(Box::new(crate::ops::DeletePlan {
            target: Reference::parse(&format!("{HOST}/samples/app@{d}")).unwrap(),
            digest: d.clone(),
            tags: vec!["v1".into()],
            by_tag: Some("v1".into()),
        })),
    ));
    seen.push(("delete question", bv(&s), "F10: delete   F11: keep it"));

    // The help overlay.
    let hv = draw(100, 20, &|f, v| {
        help::draw(f, f.area(), &[Context::Push], 0, v)
    });
    seen.push(("help", hv, "keys (F12 closes, Alt-kAlt-j scroll)"));

    let mut all = String::new();
    for (what, shown, phrase) in &seen {
        // A wrapped message may break a phrase across rows: compare without the borders.
        let flat: String = shown
            .lines()
            .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(phrase), "{what}: {phrase:?} not in\n{shown}");
        all.push_str(&format!("== {what}\n{shown}\n"));
    }
    // No default key is spelled anywhere (the help overlay lists the bindings themselves).
    let prose: String = seen
        .iter()
        .filter(|(what, ..)| *what != "help")
        .map(|(_, shown, _)| shown.as_str())
        .collect();
    for default in [
        "Esc",
        "Enter",
        "Space",
        "Tab ",
        "(c ",
        "(y ",
        "(r ",
        " r ",
        "(n)",
        "(p)",
        "press a",
        "press f",
        "press e",
        " p pushes",
        "(a)",
        "(e on",
        "y/Enter",
        "n/Esc",
        "n: new",
        "N: new",
        "n (Docker",
        "N (OCI",
    ] {
        // A default key is a word of its own: `n: new`, not the end of `Alt-n: new`.
        let alone = prose.match_indices(default).any(|(i, _)| {
            let before = prose[..i].chars().next_back();
            !default.starts_with(|c: char| c.is_alphanumeric())
                || !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
        });
        assert!(!alone, "{default:?} is spelled in:\n{prose}");
    }
    insta::assert_snapshot!(all);
}
