//! The real binary in a pseudo-terminal, its screen parsed by a terminal emulator (vt100):
//! shared by the end-to-end tests and by `examples/screenshots.rs`, which renders the
//! emulated screen (colours included) to SVG.

#[path = "hermetic.rs"]
pub mod hermetic;

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, in order.
    raw: Arc<Mutex<Vec<u8>>>,
    /// The reader saw the end of the output (every writer of the terminal closed it).
    ended: Arc<std::sync::atomic::AtomicBool>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    /// How long `wait_for` waits before failing.
    pub timeout: Duration,
    /// How often `wait_for` looks at the screen.
    pub poll: Duration,
}

impl Tui {
    /// Start `bin` with `args` and the extra `env` in a `rows`×`cols` terminal, colours on
    /// (`NO_COLOR` removed). The environment is the harness's ([`hermetic`]): only the
    /// inherited basics, `TERM`, and `env` (give it [`isolated_env`]).
    pub fn spawn<K: AsRef<OsStr>, V: AsRef<OsStr>>(
        bin: &Path,
        args: &[&str],
        env: impl IntoIterator<Item = (K, V)>,
        rows: u16,
        cols: u16,
    ) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.env_clear();
        for (k, v) in hermetic::inherited() {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn the binary");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let nz = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero terminal size");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let s = screen.clone();
        let raw = Arc::new(Mutex::new(Vec::new()));
        let r = raw.clone();
        let ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let e = ended.clone();
        std::thread::spawn(move || {
            let _master = pty.master; // keep the pty open while reading
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = s.lock() {
                    p.process(&buf[..n]);
                }
                if let Ok(mut r) = r.lock() {
                    r.extend_from_slice(&buf[..n]);
                }
            }
            e.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Tui {
            screen,
            raw,
            ended,
            writer,
            child,
            // A hang guard, not a speed claim: a loaded machine may take its time.
            timeout: Duration::from_secs(120),
            poll: Duration::from_millis(50),
        }
    }

    /// The screen's text.
    pub fn contents(&self) -> String {
        self.screen
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Everything the program wrote so far, escape sequences included.
    pub fn output(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Wait until `pred` holds for the screen text; panics with the screen after the timeout.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + self.timeout;
        loop {
            let c = self.contents();
            if pred(&c) {
                return c;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{c}");
            }
            std::thread::sleep(self.poll);
        }
    }

    /// Wait until `pred` holds for everything the program wrote (escape sequences
    /// included); panics with the screen after the timeout.
    pub fn wait_for_output(&self, what: &str, pred: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let out = self.output();
            if pred(&out) {
                return out;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{}", self.contents());
            }
            std::thread::sleep(self.poll);
        }
    }

    /// The text of each screen row drawn in reverse video (the selected row of a list),
    /// whole rows, top to bottom.
    pub fn reversed_rows(&self) -> Vec<String> {
        let p = self.screen.lock().expect("screen lock");
        let screen = p.screen();
        let (rows, cols) = screen.size();
        (0..rows.get())
            .filter(|&r| (0..cols.get()).any(|c| screen.cell(r, c).is_some_and(|k| k.inverse())))
            .map(|r| screen.contents_between(r, 0, r, cols.get()))
            .collect()
    }

    /// Cells by their look: how many have a colour (a foreground or background other than
    /// the terminal's default), and how many are bold, dim, reversed, underlined, italic.
    pub fn cell_styles(&self) -> CellStyles {
        let p = self.screen.lock().expect("screen lock");
        let screen = p.screen();
        let (rows, cols) = screen.size();
        let mut n = CellStyles::default();
        for r in 0..rows.get() {
            for c in 0..cols.get() {
                let Some(k) = screen.cell(r, c) else { continue };
                let default = vt100::Color::Default;
                n.coloured += usize::from(k.fgcolor() != default || k.bgcolor() != default);
                n.bold += usize::from(k.bold());
                n.dim += usize::from(k.dim());
                n.reversed += usize::from(k.inverse());
                n.underlined += usize::from(k.underline());
                n.italic += usize::from(k.italic());
            }
        }
        n
    }

    /// Is the alternate screen active (a TUI holds the terminal)?
    pub fn alternate_screen(&self) -> bool {
        self.screen
            .lock()
            .map(|p| p.screen().alternate_screen())
            .unwrap_or(false)
    }

    /// Is the cursor hidden?
    pub fn cursor_hidden(&self) -> bool {
        self.screen
            .lock()
            .map(|p| p.screen().hide_cursor())
            .unwrap_or(false)
    }

    /// Type text, one key at a time (control characters are keys too: \r Enter, \x0e Ctrl-N).
    pub fn keys(&mut self, keys: &str) {
        for b in keys.bytes() {
            self.writer.write_all(&[b]).expect("write key");
            self.writer.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    /// In the running app, with an empty store: open the draft editor, create `target` as
    /// a new Docker list, add `refs` by typing them, and wait until all its entries show.
    pub fn build_list(&mut self, target: &str, refs: &[String]) {
        self.keys("3");
        self.wait_for("the empty editor", |s| s.contains("No local lists."));
        self.keys("n");
        self.wait_for("the new-list prompt", |s| s.contains("new Docker list:"));
        self.keys(&format!("{target}\r"));
        self.wait_for("the new list", |s| s.contains("Local lists (1)"));
        self.keys("a");
        self.wait_for("the add prompt", |s| s.contains("add:"));
        self.keys(&refs.join(" "));
        self.keys("\r");
        let n = refs.len();
        self.wait_for("the entries", |s| s.contains(&format!("{n} entries")));
    }

    /// Bracketed paste, as a terminal sends it.
    pub fn paste(&mut self, text: &str) {
        let s = format!("\x1b[200~{text}\x1b[201~");
        self.writer.write_all(s.as_bytes()).expect("paste");
        self.writer.flush().expect("flush");
    }

    /// Wait until everything the program wrote has been read (after it exited: the terminal's
    /// last writer closed it); false if that did not happen `within` (a hang guard).
    pub fn wait_output_end(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while !self.ended.load(std::sync::atomic::Ordering::SeqCst) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// Wait for the process to exit; its success.
    pub fn wait_exit(&mut self, within: Duration) -> Option<bool> {
        self.wait_exit_code(within).map(|c| c == 0)
    }

    /// Wait for the process to exit; its exit code.
    pub fn wait_exit_code(&mut self, within: Duration) -> Option<u32> {
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.exit_code());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The screen as an SVG image: one cell per character, colours and bold kept.
    pub fn svg(&self, title: &str) -> String {
        let p = self.screen.lock().expect("screen lock");
        render_svg(p.screen(), title)
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// What [`Tui::cell_styles`] counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CellStyles {
    pub coloured: usize,
    pub bold: usize,
    pub dim: usize,
    pub reversed: usize,
    pub underlined: usize,
    pub italic: usize,
}

/// The SGR sequences (`ESC [ … m`) in `raw` that set a colour: a foreground, background or
/// underline colour of any form (8, 16, 256 colours or RGB). Resets to the terminal's
/// default colours (39, 49, 59) and other attributes (bold, reverse…) are not colours.
pub fn colour_sgrs(raw: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < raw.len() {
        if raw[i] != 0x1b || raw[i + 1] != b'[' {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 2;
        while j < raw.len() && (raw[j].is_ascii_digit() || raw[j] == b';' || raw[j] == b':') {
            j += 1;
        }
        if j < raw.len() && raw[j] == b'm' {
            let params = std::str::from_utf8(&raw[i + 2..j]).unwrap_or("");
            let mut ps = params
                .split([';', ':'])
                .map(|p| p.parse::<u16>().unwrap_or(0));
            let mut colour = false;
            while let Some(p) = ps.next() {
                match p {
                    30..=37 | 40..=47 | 90..=97 | 100..=107 => colour = true,
                    38 | 48 | 58 => {
                        colour = true;
                        // 5;N or 2;R;G;B follow.
                        match ps.next() {
                            Some(5) => {
                                ps.next();
                            }
                            Some(2) => {
                                ps.next();
                                ps.next();
                                ps.next();
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            if colour {
                found.push(String::from_utf8_lossy(&raw[start..=j]).into_owned());
            }
        }
        i = j.max(i + 1);
    }
    found
}

/// The texts of the OSC 52 clipboard writes (`ESC ] 52 ; c ; BASE64 BEL`, or ST-terminated)
/// in `raw`, base64-decoded.
pub fn osc52_texts(raw: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let open = b"\x1b]52;";
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = raw[i..].windows(open.len()).position(|w| w == open) {
        let body = i + at + open.len();
        let Some(end) = raw[body..]
            .iter()
            .position(|&b| b == 0x07 || b == 0x1b)
            .map(|e| body + e)
        else {
            break;
        };
        // `c;BASE64`: the selection, then the data.
        let payload = &raw[body..end];
        let data = payload
            .iter()
            .position(|&b| b == b';')
            .map_or(payload, |semi| &payload[semi + 1..]);
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap_or_else(|e| panic!("OSC 52 payload is not base64 ({e}): {data:?}")),
        );
        i = end;
    }
    out
}

/// The environment of a run that touches nothing of the user's: `HOME` and the XDG state,
/// config, cache and data directories under `home` ([`hermetic::home_vars`]), docker's config
/// (`DOCKER_CONFIG`) in `docker_config`. Push more pairs onto it for a test's own variables.
pub fn isolated_env(home: &Path, docker_config: &Path) -> Vec<(&'static str, OsString)> {
    let mut v = hermetic::home_vars(home);
    v.push(("DOCKER_CONFIG", docker_config.into()));
    v
}

/// The line of `screen` containing `needle` (panics with the screen otherwise).
pub fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} on screen:\n{screen}"))
}

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const FG: (u8, u8, u8) = (0xd8, 0xde, 0xe9);
const BG: (u8, u8, u8) = (0x1e, 0x22, 0x2a);

/// xterm's 256-colour palette (a dark theme for the 16 base colours).
fn palette(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0x2e, 0x34, 0x40),
        (0xe0, 0x6c, 0x75),
        (0x98, 0xc3, 0x79),
        (0xe5, 0xc0, 0x7b),
        (0x61, 0xaf, 0xef),
        (0xc6, 0x78, 0xdd),
        (0x56, 0xb6, 0xc2),
        (0xd8, 0xde, 0xe9),
        (0x5c, 0x63, 0x70),
        (0xff, 0x7b, 0x86),
        (0xb5, 0xe8, 0x90),
        (0xff, 0xd6, 0x8a),
        (0x82, 0xc4, 0xff),
        (0xde, 0x9a, 0xf5),
        (0x7f, 0xd6, 0xe0),
        (0xff, 0xff, 0xff),
    ];
    match i {
        0..=15 => BASE[i as usize],
        16..=231 => {
            let i = i - 16;
            let c = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (c(i / 36), c((i / 6) % 6), c(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

fn rgb(c: vt100::Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    match c {
        vt100::Color::Default => default,
        vt100::Color::Idx(i) => palette(i),
        vt100::Color::Rgb(r, g, b) => (r, g, b),
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Render a vt100 screen to SVG (a window frame with `title`).
pub fn render_svg(screen: &vt100::Screen, title: &str) -> String {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    let pad = 12.0;
    let bar = 28.0;
    let w = cols as f32 * CELL_W + 2.0 * pad;
    let h = rows as f32 * CELL_H + 2.0 * pad + bar;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n\
<rect width=\"{w}\" height=\"{h}\" rx=\"8\" fill=\"{}\"/>\n\
<circle cx=\"20\" cy=\"14\" r=\"5\" fill=\"#ff5f57\"/><circle cx=\"38\" cy=\"14\" r=\"5\" fill=\"#febc2e\"/><circle cx=\"56\" cy=\"14\" r=\"5\" fill=\"#28c840\"/>\n\
<text x=\"{}\" y=\"18\" fill=\"#8a93a3\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n\
<g font-family=\"DejaVu Sans Mono, monospace\" font-size=\"14\" xml:space=\"preserve\">\n",
        hex(BG),
        w / 2.0,
        xml_escape(title)
    );
    for r in 0..rows {
        let y = pad + bar + r as f32 * CELL_H;
        let mut c = 0;
        while c < cols {
            let Some(cell) = screen.cell(r, c) else {
                c += 1;
                continue;
            };
            let (mut fg, mut bg) = (rgb(cell.fgcolor(), FG), rgb(cell.bgcolor(), BG));
            if cell.inverse() {
                std::mem::swap(&mut fg, &mut bg);
            }
            let bold = cell.bold();
            let dim = cell.dim();
            // A run of cells with the same style.
            let start = c;
            let mut text = String::new();
            while c < cols {
                let Some(k) = screen.cell(r, c) else { break };
                let (mut kf, mut kb) = (rgb(k.fgcolor(), FG), rgb(k.bgcolor(), BG));
                if k.inverse() {
                    std::mem::swap(&mut kf, &mut kb);
                }
                if (kf, kb, k.bold(), k.dim()) != (fg, bg, bold, dim) {
                    break;
                }
                if !k.is_wide_continuation() {
                    let s = k.contents();
                    text.push_str(if s.is_empty() { " " } else { s });
                }
                c += 1;
            }
            let x = pad + start as f32 * CELL_W;
            let width = (c - start) as f32 * CELL_W;
            if bg != BG {
                out.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{CELL_H}\" fill=\"{}\"/>\n",
                    hex(bg)
                ));
            }
            if !text.trim().is_empty() {
                out.push_str(&format!(
                    "<text x=\"{x}\" y=\"{}\" fill=\"{}\"{}{} textLength=\"{width}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>\n",
                    y + CELL_H * 0.78,
                    hex(fg),
                    if bold { " font-weight=\"bold\"" } else { "" },
                    if dim { " opacity=\"0.6\"" } else { "" },
                    xml_escape(&text)
                ));
            }
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}
