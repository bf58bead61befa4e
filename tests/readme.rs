//! The README stays true: its key table is the keymap's own, and its first lines are the
//! two commands CI and a new user rely on.

use manifest_tui::tui::keymap::Keymap;

const START: &str = "<!-- keys:start -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn readme_keys_match_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (a, b) = (
        readme.find(START).expect("keys:start marker") + START.len(),
        readme.find(END).expect("keys:end marker"),
    );
    let want = Keymap::default().markdown();
    if readme[a..b] != want {
        if std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{}{}", &readme[..a], want, &readme[b..]);
            std::fs::write(path, new).unwrap();
        } else {
            panic!(
                "README's key table is out of date: run `UPDATE_README=1 cargo test --test readme`"
            );
        }
    }
}

#[test]
fn readme_opens_with_the_two_commands_and_ci_runs_the_second() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let head: Vec<&str> = readme.lines().take(6).collect();
    assert!(
        head.iter().any(|l| l.starts_with("bash scripts/demo.sh")),
        "{head:?}"
    );
    assert!(
        head.iter().any(|l| l.starts_with("bash scripts/test.sh")),
        "{head:?}"
    );
    let ci = std::fs::read_to_string(format!("{root}/.ci/run")).unwrap();
    assert!(ci.contains("bash scripts/test.sh"), "{ci}");
}
