//! Snapshots of the draft editor on a fixed-size `TestBackend`.

use crate::reference::Reference;
use crate::store::Format;
use crate::tui::keymap::Keymap;
use crate::tui::pane::Ctx;
use crate::tui::panes::editor;
use crate::tui::state::editor::problems;
use crate::tui::state::editor::Focus;
use crate::tui::test_fixtures::{ed, editor_with, form, form_on, press, render, six, typed, HOST};
use ratatui::crossterm::event::KeyCode;

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

#[test]
fn editor_field_with_a_validation_error_and_suggestions() {
    let mut s = editor_with(vec![six()]);
    form_on(&mut s, 0); // linux/amd64
    s.field_key(&press(KeyCode::Down), &Ctx::default()); // architecture
    for _ in 0..5 {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
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
