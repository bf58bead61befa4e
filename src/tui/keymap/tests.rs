//! The key table: the keys file's overrides and errors, and the default bindings.

use crate::tui::keymap::Action;
use crate::tui::keymap::Context;
use crate::tui::keymap::KeyCombo;
use crate::tui::keymap::Keymap;
use crate::tui::test_fixtures::ch;
use ratatui::crossterm::event::KeyCode;
use ratatui::crossterm::event::KeyEvent;
use ratatui::crossterm::event::KeyModifiers;
use std::path::Path;

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
