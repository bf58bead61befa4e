//! The one table of key bindings. The `?` help overlay, the status-bar hints, `manifest-tui
//! keys` and docs/KEYS.md are all generated from [`DEFAULT_BINDINGS`] (patched by the user's
//! file), so they cannot drift from what the keys do.
//!
//! User overrides: `~/.config/manifest-tui/keys.conf` (or `$XDG_CONFIG_HOME/...`, or
//! `--keymap FILE`), one binding per line: `CONTEXT ACTION KEY[,KEY...]`, `#` starts a comment.
//! A line replaces every default key of that action in that context, e.g.
//! `list down j,down,ctrl-n` or `global quit ctrl-q`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a binding applies. A key is looked up in the focused text field first, then in the
/// active contexts of the pane (most specific first), then in `Global`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Checked before anything else, even a focused text field (Ctrl-C, Ctrl-Z).
    Always,
    Global,
    /// Moving in any list or table.
    List,
    /// The registry browser, at every level.
    Browser,
    Registries,
    Catalog,
    Tags,
    Content,
    Compare,
    /// One platform's diff, opened from a row of the comparison.
    PlatformDiff,
    /// A focused text field (only for help and hints: the field itself handles editing).
    Field,
    Help,
    Notice,
    /// The draft editor: its lists and their entries.
    Editor,
    Push,
    /// The annotation form of the draft editor (its keys work while a field has focus).
    Form,
    /// The browser's checklist of platforms to copy.
    Checklist,
    /// The browser's yes/no question before a delete.
    Confirm,
    /// The browser's panel of what refers to the manifest shown.
    Referrers,
    /// The browser's sync plan, shown before the sync runs.
    SyncPlan,
}

impl Context {
    pub(crate) const ALL: [Context; 20] = [
        Context::Always,
        Context::Global,
        Context::List,
        Context::Browser,
        Context::Registries,
        Context::Catalog,
        Context::Tags,
        Context::Content,
        Context::Compare,
        Context::PlatformDiff,
        Context::Field,
        Context::Help,
        Context::Notice,
        Context::Editor,
        Context::Push,
        Context::Form,
        Context::Checklist,
        Context::Confirm,
        Context::Referrers,
        Context::SyncPlan,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Context::Always => "always",
            Context::Global => "global",
            Context::List => "list",
            Context::Browser => "browser",
            Context::Registries => "registries",
            Context::Catalog => "catalog",
            Context::Tags => "tags",
            Context::Content => "content",
            Context::Compare => "compare",
            Context::PlatformDiff => "platform-diff",
            Context::Field => "field",
            Context::Help => "help",
            Context::Notice => "notice",
            Context::Editor => "editor",
            Context::Push => "push",
            Context::Form => "form",
            Context::Checklist => "checklist",
            Context::Confirm => "confirm",
            Context::Referrers => "referrers",
            Context::SyncPlan => "sync-plan",
        }
    }

    /// The heading used in the help overlay.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Context::Always => "Anywhere",
            Context::Global => "Global",
            Context::List => "Lists",
            Context::Browser => "Browser",
            Context::Registries => "Browser: registries",
            Context::Catalog => "Browser: repositories",
            Context::Tags => "Browser: tags",
            Context::Content => "Browser: manifest",
            Context::Compare => "Compare",
            Context::PlatformDiff => "Compare: one platform",
            Context::Field => "Text fields",
            Context::Help => "Help",
            Context::Notice => "Notice",
            Context::Editor => "Draft editor",
            Context::Push => "Push",
            Context::Form => "Annotation form",
            Context::Checklist => "Copy: platforms",
            Context::Confirm => "Delete: confirm",
            Context::Referrers => "Browser: what refers to it",
            Context::SyncPlan => "Sync: plan",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// Everything a key can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }
        impl Action {
            /// The name used in the keys.conf file.
            pub(crate) fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub(crate) fn from_name(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    ForceQuit = "force-quit",
    Suspend = "suspend",
    Quit = "quit",
    Help = "help",
    NextPane = "next-pane",
    PrevPane = "prev-pane",
    GotoBrowser = "goto-browser",
    GotoCompare = "goto-compare",
    GotoEditor = "goto-editor",
    GotoPush = "goto-push",
    Up = "up",
    Down = "down",
    PageUp = "page-up",
    PageDown = "page-down",
    Top = "top",
    Bottom = "bottom",
    Open = "open",
    Back = "back",
    Filter = "filter",
    OpenByName = "open-by-name",
    Refresh = "refresh",
    Sort = "sort",
    CopyDigest = "copy-digest",
    MarkA = "mark-a",
    MarkB = "mark-b",
    SendToEditor = "send-to-editor",
    Swap = "swap",
    Submit = "submit",
    Cancel = "cancel",
    Close = "close",
    Dismiss = "dismiss",
    NewList = "new-list",
    NewOciList = "new-oci-list",
    Rename = "rename",
    Delete = "delete",
    AddEntry = "add-entry",
    RefreshEntry = "refresh-entry",
    CycleFormat = "cycle-format",
    Push = "push",
    PushPurge = "push-purge",
    CancelPush = "cancel-push",
    Retry = "retry",
    NextField = "next-field",
    PrevField = "prev-field",
    Complete = "complete",
    CompletePrev = "complete-prev",
    CopyImage = "copy-image",
    Retag = "retag",
    Toggle = "toggle",
    Referrers = "referrers",
    Sync = "sync",
}

/// One row of the default table: context, action, keys, description, status-bar label.
pub struct DefaultBinding {
    pub(crate) context: Context,
    pub(crate) action: Action,
    pub(crate) keys: &'static [&'static str],
    pub(crate) description: &'static str,
    /// The status-bar label; empty = not shown there.
    pub(crate) hint: &'static str,
}

const fn b(
    context: Context,
    action: Action,
    keys: &'static [&'static str],
    description: &'static str,
    hint: &'static str,
) -> DefaultBinding {
    DefaultBinding {
        context,
        action,
        keys,
        description,
        hint,
    }
}

use Action as A;
use Context as C;

/// THE table.
pub(crate) const DEFAULT_BINDINGS: &[DefaultBinding] = &[
    b(C::Always, A::ForceQuit, &["ctrl-c"], "quit at once", ""),
    b(
        C::Always,
        A::Suspend,
        &["ctrl-z"],
        "suspend to the shell (fg resumes)",
        "",
    ),
    b(C::Global, A::Quit, &["q"], "quit", "quit"),
    b(C::Global, A::Help, &["?", "f1"], "show all keys", "help"),
    b(C::Global, A::NextPane, &["tab"], "next pane", ""),
    b(C::Global, A::PrevPane, &["backtab"], "previous pane", ""),
    b(C::Global, A::GotoBrowser, &["1"], "registry browser", ""),
    b(C::Global, A::GotoCompare, &["2"], "comparison", ""),
    b(C::Global, A::GotoEditor, &["3"], "draft editor", ""),
    b(C::Global, A::GotoPush, &["4"], "push progress", ""),
    b(C::List, A::Up, &["up", "k"], "move up", ""),
    b(C::List, A::Down, &["down", "j"], "move down", ""),
    b(C::List, A::PageUp, &["pgup", "ctrl-b"], "page up", ""),
    b(C::List, A::PageDown, &["pgdown", "ctrl-f"], "page down", ""),
    b(C::List, A::Top, &["home", "g"], "first row", ""),
    b(C::List, A::Bottom, &["end", "G"], "last row", ""),
    b(
        C::Browser,
        A::Open,
        &["enter", "right", "l"],
        "open",
        "open",
    ),
    b(
        C::Browser,
        A::Back,
        &["esc", "left", "h", "backspace"],
        "back (or clear the filter)",
        "back",
    ),
    b(
        C::Browser,
        A::Filter,
        &["/"],
        "filter as you type",
        "filter",
    ),
    b(C::Browser, A::Refresh, &["r", "ctrl-r"], "reload", ""),
    b(
        C::Registries,
        A::OpenByName,
        &["o", "i"],
        "type a registry host",
        "type host",
    ),
    b(
        C::Catalog,
        A::OpenByName,
        &["o", "i"],
        "type a repository name",
        "type repo",
    ),
    b(
        C::Catalog,
        A::Sync,
        &["S"],
        "mirror every tag of this repository to another registry (the plan first)",
        "sync",
    ),
    b(C::Tags, A::Sort, &["s"], "cycle the tag order", "sort"),
    b(
        C::Tags,
        A::MarkA,
        &["a"],
        "compare: set side A to this tag",
        "mark A",
    ),
    b(
        C::Tags,
        A::MarkB,
        &["b"],
        "compare: set side B to this tag",
        "mark B",
    ),
    b(
        C::Tags,
        A::SendToEditor,
        &["e"],
        "send this tag to the draft editor",
        "",
    ),
    b(C::Tags, A::CopyDigest, &["y"], "copy the reference", ""),
    b(
        C::Tags,
        A::CopyImage,
        &["c"],
        "copy this tag to another repository or registry",
        "copy",
    ),
    b(
        C::Tags,
        A::Retag,
        &["t"],
        "give this tag's manifest new tags",
        "",
    ),
    b(
        C::Tags,
        A::Sync,
        &["S"],
        "mirror this tag to another registry (the plan first)",
        "",
    ),
    b(
        C::Tags,
        A::Delete,
        &["D"],
        "delete this tag's manifest from the registry (asks first)",
        "",
    ),
    b(
        C::Content,
        A::CopyDigest,
        &["y"],
        "copy the selected digest (OSC 52)",
        "copy digest",
    ),
    b(
        C::Content,
        A::MarkA,
        &["a"],
        "compare: set side A to this manifest",
        "mark A",
    ),
    b(
        C::Content,
        A::MarkB,
        &["b"],
        "compare: set side B to this manifest",
        "mark B",
    ),
    b(
        C::Content,
        A::SendToEditor,
        &["e"],
        "send the selected entry to the draft editor",
        "to editor",
    ),
    b(
        C::Content,
        A::CopyImage,
        &["c"],
        "copy this list or image to another repository or registry",
        "copy",
    ),
    b(
        C::Content,
        A::Retag,
        &["t"],
        "give this manifest new tags",
        "",
    ),
    b(
        C::Content,
        A::Sync,
        &["S"],
        "mirror this manifest to another registry (the plan first)",
        "",
    ),
    b(
        C::Content,
        A::Delete,
        &["D"],
        "delete this manifest from the registry (asks first)",
        "",
    ),
    b(
        C::Content,
        A::Referrers,
        &["R"],
        "what refers to this manifest, one by one: signatures, SBOMs, attestations",
        "",
    ),
    b(
        C::Referrers,
        A::Open,
        &["enter", "right", "l"],
        "open the selected referrer (back there comes back here)",
        "open",
    ),
    b(
        C::Referrers,
        A::CopyDigest,
        &["y"],
        "copy the selected referrer's digest (OSC 52)",
        "copy digest",
    ),
    b(
        C::Referrers,
        A::Refresh,
        &["r", "ctrl-r"],
        "read the manifest and what refers to it again",
        "",
    ),
    b(
        C::Referrers,
        A::Close,
        &["esc", "left", "h", "R"],
        "close the panel",
        "close",
    ),
    b(C::Compare, A::Swap, &["x"], "swap A and B", "swap"),
    b(
        C::Compare,
        A::Refresh,
        &["r", "ctrl-r"],
        "compare again",
        "reload",
    ),
    b(
        C::Compare,
        A::CopyDigest,
        &["y"],
        "copy the selected row's B digest",
        "copy",
    ),
    b(
        C::Compare,
        A::Open,
        &["enter", "right", "l"],
        "why this platform differs: layers side by side, config fields, totals",
        "why",
    ),
    b(
        C::Compare,
        A::Back,
        &["esc"],
        "back to the browser",
        "browser",
    ),
    b(
        C::PlatformDiff,
        A::Back,
        &["esc", "left", "h"],
        "back to the comparison",
        "table",
    ),
    b(
        C::PlatformDiff,
        A::CopyDigest,
        &["y"],
        "copy this platform's B digest",
        "copy",
    ),
    b(
        C::Editor,
        A::Open,
        &["enter", "right", "l"],
        "open the list / annotate the entry",
        "open",
    ),
    b(
        C::Editor,
        A::Back,
        &["esc", "left", "h"],
        "back to the lists",
        "",
    ),
    b(
        C::Editor,
        A::NewList,
        &["n"],
        "new Docker manifest list (type its target)",
        "new",
    ),
    b(C::Editor, A::NewOciList, &["N"], "new OCI index", ""),
    b(
        C::Editor,
        A::AddEntry,
        &["a"],
        "add images or lists by reference (space-separated)",
        "add",
    ),
    b(
        C::Editor,
        A::Rename,
        &["r"],
        "change the list's target reference",
        "",
    ),
    b(
        C::Editor,
        A::Delete,
        &["d", "delete"],
        "delete the list / remove the entry (asks first)",
        "delete",
    ),
    b(
        C::Editor,
        A::RefreshEntry,
        &["u"],
        "fetch the entry again from its registry",
        "",
    ),
    b(
        C::Editor,
        A::CycleFormat,
        &["f"],
        "format: Docker list, OCI index, docker's rule",
        "",
    ),
    b(C::Editor, A::Push, &["p"], "push the list", "push"),
    b(
        C::Editor,
        A::MarkA,
        &["A"],
        "compare: set side A to this draft (or the selected entry)",
        "",
    ),
    b(
        C::Editor,
        A::MarkB,
        &["B"],
        "compare: set side B to this draft (or the selected entry)",
        "",
    ),
    b(
        C::Editor,
        A::PushPurge,
        &["P"],
        "push, then delete the local list if it succeeded",
        "",
    ),
    b(
        C::Editor,
        A::Refresh,
        &["ctrl-r"],
        "read the store again",
        "",
    ),
    b(C::Form, A::NextField, &["down", "ctrl-n"], "next field", ""),
    b(
        C::Form,
        A::PrevField,
        &["up", "ctrl-p"],
        "previous field",
        "",
    ),
    b(
        C::Form,
        A::Complete,
        &["tab"],
        "next known value (os, architecture, variant…)",
        "",
    ),
    b(
        C::Form,
        A::CompletePrev,
        &["backtab"],
        "previous known value",
        "",
    ),
    b(
        C::Push,
        A::CancelPush,
        &["c"],
        "cancel the push (the local list stays)",
        "cancel",
    ),
    b(
        C::Push,
        A::Retry,
        &["r"],
        "push again (finishes what failed; safe to repeat)",
        "retry",
    ),
    b(
        C::Push,
        A::CopyDigest,
        &["y"],
        "copy the pushed list's digest",
        "copy digest",
    ),
    b(
        C::Push,
        A::Back,
        &["esc"],
        "back to the draft editor",
        "editor",
    ),
    b(
        C::Checklist,
        A::Toggle,
        &["space"],
        "check or uncheck the platform (or what refers to it)",
        "toggle",
    ),
    b(
        C::Checklist,
        A::Submit,
        &["enter"],
        "copy the checked platforms",
        "copy",
    ),
    b(
        C::Checklist,
        A::Cancel,
        &["esc"],
        "cancel the copy",
        "cancel",
    ),
    b(C::SyncPlan, A::Submit, &["enter"], "run the sync", "run"),
    b(
        C::SyncPlan,
        A::Cancel,
        &["esc"],
        "cancel the sync (nothing was written)",
        "cancel",
    ),
    b(C::Confirm, A::Submit, &["y", "enter"], "delete", "delete"),
    b(C::Confirm, A::Cancel, &["n", "esc"], "keep it", "cancel"),
    b(C::Field, A::Submit, &["enter"], "confirm", "confirm"),
    b(C::Field, A::Cancel, &["esc"], "cancel", "cancel"),
    b(
        C::Help,
        A::Close,
        &["esc", "?", "q", "f1"],
        "close help",
        "close",
    ),
    b(
        C::Notice,
        A::Dismiss,
        &["esc", "enter"],
        "dismiss the message",
        "dismiss",
    ),
];

/// A key with its modifiers, as written in the table (`ctrl-c`, `G`, `pgdown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub(crate) code: KeyCode,
    pub(crate) mods: KeyModifiers,
}

impl KeyCombo {
    /// Normalise a crossterm key event: SHIFT is dropped for characters (it is already in the
    /// character's case) and for BackTab.
    pub(crate) fn from_event(k: &KeyEvent) -> KeyCombo {
        let mut mods =
            k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(k.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        KeyCombo { code: k.code, mods }
    }

    pub(crate) fn parse(s: &str) -> Result<KeyCombo, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.len() > 1 && lower.starts_with("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                let c = if mods.contains(KeyModifiers::CONTROL) { c.to_ascii_lowercase() } else { c };
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c)
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::BackTab
                }
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdown" | "pagedown" | "pgdn" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                "comma" => KeyCode::Char(','),
                f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key {s:?}")),
                },
                _ => {
                    return Err(format!(
                        "unknown key {s:?} (use a character, ctrl-X, alt-X, enter, esc, tab, backtab, \
                         backspace, up, down, left, right, home, end, pgup, pgdown, space, comma, f1..f24)"
                    ))
                }
            },
        };
        if matches!(code, KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Ok(KeyCombo { code, mods })
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A binding after user overrides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub(crate) context: Context,
    pub(crate) action: Action,
    pub(crate) keys: Vec<KeyCombo>,
    pub(crate) description: &'static str,
    pub(crate) hint: &'static str,
}

/// The effective key bindings.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

/// A problem in the user's keys file: which line, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapError {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    pub(crate) message: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULT_BINDINGS
                .iter()
                .map(|d| Binding {
                    context: d.context,
                    action: d.action,
                    keys: d
                        .keys
                        .iter()
                        .map(|k| KeyCombo::parse(k).expect("the default key table parses"))
                        .collect(),
                    description: d.description,
                    hint: d.hint,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The default file: `$XDG_CONFIG_HOME/manifest-tui/keys.conf` or
    /// `~/.config/manifest-tui/keys.conf`.
    pub(crate) fn default_file() -> Option<PathBuf> {
        crate::files::app_dir(crate::files::Xdg::Config).map(|d| d.join("keys.conf"))
    }

    /// Defaults patched by `file`. A missing default file is fine; a missing explicit file,
    /// or bad lines, are reported (the good lines still apply).
    pub(crate) fn load(file: Option<&Path>) -> (Keymap, Vec<KeymapError>) {
        let mut km = Keymap::default();
        let (path, explicit) = match file {
            Some(p) => (p.to_path_buf(), true),
            None => match Keymap::default_file() {
                Some(p) => (p, false),
                None => return (km, Vec::new()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let errs = km.apply(&path, &text);
                (km, errs)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => (km, Vec::new()),
            Err(e) => {
                let err = KeymapError {
                    file: path,
                    line: 0,
                    message: format!(
                        "cannot read the key bindings file: {e}; using the default keys"
                    ),
                };
                (km, vec![err])
            }
        }
    }

    /// Apply override lines (`CONTEXT ACTION KEY[,KEY...]`).
    pub fn apply(&mut self, file: &Path, text: &str) -> Vec<KeymapError> {
        let mut errors = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: String| KeymapError {
                file: file.to_path_buf(),
                line: n + 1,
                message,
            };
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [ctx, action, keys] = parts.as_slice() else {
                errors.push(err(format!(
                    "expected `CONTEXT ACTION KEY[,KEY...]`, found {:?}",
                    crate::text::inert(line)
                )));
                continue;
            };
            let Some(ctx) = Context::from_name(ctx) else {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                errors.push(err(format!(
                    "unknown context {ctx:?}; contexts are {}",
                    names.join(", ")
                )));
                continue;
            };
            let Some(action) = Action::from_name(action) else {
                errors.push(err(format!(
                    "unknown action {action:?}; `manifest-tui keys` lists every action name"
                )));
                continue;
            };
            let parsed: Result<Vec<KeyCombo>, String> = keys
                .split(',')
                .filter(|k| !k.is_empty())
                .map(KeyCombo::parse)
                .collect();
            let parsed = match parsed {
                Ok(p) if !p.is_empty() => p,
                Ok(_) => {
                    errors.push(err("no key given".to_string()));
                    continue;
                }
                Err(e) => {
                    errors.push(err(e));
                    continue;
                }
            };
            match self
                .bindings
                .iter_mut()
                .find(|b| b.context == ctx && b.action == action)
            {
                Some(b) => b.keys = parsed,
                None => {
                    errors.push(err(format!(
                        "action {:?} has no binding in context {:?}; see the help overlay for where each action applies",
                        action.name(),
                        ctx.name()
                    )));
                }
            }
        }
        errors
    }

    /// The action bound to `key` in `ctx`, if any. Only key presses count: releases and
    /// repeats reported by enhanced keyboards are filtered before this, at the source.
    pub(crate) fn lookup(&self, ctx: Context, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let combo = KeyCombo::from_event(key);
        self.bindings
            .iter()
            .find(|b| b.context == ctx && b.keys.contains(&combo))
            .map(|b| b.action)
    }

    /// Look up in several contexts, first match wins.
    pub(crate) fn lookup_in(&self, ctxs: &[Context], key: &KeyEvent) -> Option<(Context, Action)> {
        ctxs.iter()
            .find_map(|&c| self.lookup(c, key).map(|a| (c, a)))
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub(crate) fn in_context(&self, ctx: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == ctx)
    }

    /// The keys of an action, for hints: `enter/→/l`.
    pub(crate) fn keys_label(&self, ctx: Context, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.context == ctx && b.action == action)
            .map(|b| {
                b.keys
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            })
    }

    /// The key to name in a message about `action` in `ctx`: its first key (`c`), or, when
    /// the user's file left it without one, the keys.conf line that would bind it. Every
    /// message that tells the user what to press takes the key from here.
    pub(crate) fn key(&self, ctx: Context, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.context == ctx && b.action == action)
            .and_then(|b| b.keys.first())
            .map(|k| k.to_string())
            .unwrap_or_else(|| format!("the key for `{} {}`", ctx.name(), action.name()))
    }

    /// Short hints for the status bar: `(keys, description)` of the hint bindings of `ctxs`.
    pub(crate) fn hints(&self, ctxs: &[Context]) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for &c in ctxs {
            for b in self.in_context(c).filter(|b| !b.hint.is_empty()) {
                if let Some(k) = b.keys.first() {
                    out.push((k.to_string(), b.hint));
                }
            }
        }
        out
    }

    /// The key list as Markdown (docs/KEYS.md, `manifest-tui keys`), generated from the same
    /// table: one section per context, each binding with its keys, what it does, and the
    /// `CONTEXT ACTION` pair a keys.conf line names to rebind it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for c in Context::ALL {
            let rows: Vec<&Binding> = self.in_context(c).collect();
            if rows.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "\n## {}\n\n| Keys | Action | keys.conf |\n|---|---|---|\n",
                c.heading()
            ));
            for b in rows {
                let keys: Vec<String> = b.keys.iter().map(|k| format!("`{k}`")).collect();
                out.push_str(&format!(
                    "| {} | {} | `{} {}` |\n",
                    keys.join(" "),
                    b.description,
                    c.name(),
                    b.action.name()
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
