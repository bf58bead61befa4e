//! Snapshot tests of every pane and state on a fixed-size `TestBackend` (text only: colours
//! are asserted cell by cell in tui_state.rs).

use manifest_tui::ops::Source;
use manifest_tui::reference::Reference;
use manifest_tui::tui::app::App;
mod fixtures;
use fixtures::HOST;
use manifest_tui::tui::keymap::{Context, Keymap};
use manifest_tui::tui::pane::{Notice, NoticeLevel, View};
use manifest_tui::tui::panes::{browser, compare, help};
use manifest_tui::tui::state::browser::{BrowserState, Level, RegistryChoice};
use manifest_tui::tui::state::compare::CompareState;
use manifest_tui::tui::state::platform_diff::PlatformDiffState;
use manifest_tui::tui::state::Load;
use manifest_tui::tui::theme::Theme;
use manifest_tui::tui::worker::RegistrySource;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

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

fn browser(w: u16, h: u16, s: &BrowserState) -> Terminal<TestBackend> {
    render(w, h, |f, v| browser::draw(f, f.area(), s, v))
}

fn compare_pane(w: u16, h: u16, s: &CompareState) -> Terminal<TestBackend> {
    render(w, h, |f, v| compare::draw(f, f.area(), s, v))
}

fn remote(r: &str) -> Source {
    Source::Remote(Reference::parse(&format!("{HOST}/{r}")).expect("ref"))
}

/// The frame's text, one quoted line per row.
fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// The row of `screen` containing `needle` (panics with the screen otherwise).
fn row<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}:\n{screen}"))
}

/// The rows of `screen` whose text (inside the pane's border) is one of `items`, in
/// screen order.
fn rows_among<'a>(screen: &str, items: &[&'a str]) -> Vec<&'a str> {
    screen
        .lines()
        .filter_map(|l| {
            let inner = l.trim_matches(|c: char| c == '"' || c == '│' || c.is_whitespace());
            let first = inner.split_whitespace().next().unwrap_or("");
            items.iter().copied().find(|i| *i == first)
        })
        .collect()
}

#[test]
fn registries_empty() {
    let mut s = BrowserState::new();
    s.registries_load = Load::Done;
    let t = browser(80, 12, &s);
    let screen = text(&t);
    assert!(
        screen.contains("No registries known yet") && screen.contains("Press o/i to type one"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn registries_listed() {
    let mut s = BrowserState::new();
    s.registries.extend([
        RegistryChoice {
            host: HOST.into(),
            source: RegistrySource::History,
        },
        RegistryChoice {
            host: "docker.io".into(),
            source: RegistrySource::Config,
        },
        RegistryChoice {
            host: "ghcr.io".into(),
            source: RegistrySource::Config,
        },
    ]);
    s.registries.move_by(1);
    s.registries_load = Load::Done;
    let t = browser(80, 10, &s);
    let screen = text(&t);
    assert!(row(&screen, HOST).contains("recent"), "{screen}");
    assert!(
        row(&screen, "docker.io").contains("docker config"),
        "{screen}"
    );
    assert!(screen.contains("3 registries"), "{screen}");
    let selected = fixtures::reversed_rows(&t);
    assert!(
        selected.len() == 1 && selected[0].contains("docker.io"),
        "the second row selected: {selected:?}"
    );
    insta::assert_snapshot!(t.backend());
}

fn catalog_state() -> BrowserState {
    let mut s = BrowserState::new();
    s.level = Level::Catalog;
    s.registry = Some(HOST.into());
    s
}

#[test]
fn catalog_loading() {
    let mut s = catalog_state();
    s.catalog_load = Load::Loading;
    let t = browser(80, 10, &s);
    assert!(text(&t).contains("loading repositories…"), "{}", text(&t));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn catalog_streaming_filtered() {
    let mut s = catalog_state();
    s.catalog.extend(fixtures::repo_names(300));
    s.catalog.set_filter("team-3/ 00");
    s.catalog.move_by(2);
    s.catalog_load = Load::Partial;
    let t = browser(80, 12, &s);
    let screen = text(&t);
    let shown: Vec<&str> = screen.lines().filter(|l| l.contains("/service-")).collect();
    assert!(!shown.is_empty(), "{screen}");
    assert!(
        shown
            .iter()
            .all(|l| l.contains("team-3/") && l.contains("00")),
        "only rows matching both words: {screen}"
    );
    assert!(screen.contains("300 so far"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn catalog_empty() {
    let mut s = catalog_state();
    s.catalog_load = Load::Done;
    let t = browser(80, 8, &s);
    assert!(
        text(&t).contains("This registry has no repositories."),
        "{}",
        text(&t)
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn catalog_error() {
    let mut s = catalog_state();
    s.catalog_load = Load::Failed(
        "listing the repositories of 127.0.0.1:5000 failed: connection refused \u{1b}[31m(is the registry running?)".into(),
    );
    let t = browser(100, 8, &s);
    // The escape in the error is neutralised: no cell holds a control character, and the
    // sequence is shown as text.
    let controls: Vec<&str> = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .filter(|sym| sym.chars().any(char::is_control))
        .collect();
    assert!(
        controls.is_empty(),
        "control characters drawn: {controls:?}"
    );
    let screen = text(&t);
    assert!(
        screen.contains("connection refused \\u{1b}[31m(is the registry"),
        "{screen}"
    );
    assert!(screen.contains("r retries"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn catalog_unavailable_prompts_for_a_repository() {
    let mut s = catalog_state();
    s.registry = Some("docker.io".into());
    let mut ctx = Default::default();
    s.reply(
        manifest_tui::tui::worker::Slot::Catalog,
        manifest_tui::tui::worker::Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: Vec::new(),
        },
        &manifest_tui::tui::pane::Ctx::default(),
    );
    let _: &mut manifest_tui::tui::pane::Ctx = &mut ctx;
    let t = browser(100, 9, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "repository:").contains("e.g. library/alpine"),
        "{screen}"
    );
    assert!(
        screen.contains("docker.io does not list its repositories (401 UNAUTHORIZED).")
            && screen.contains("Type a repository name instead (o/i)."),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn catalog_unavailable_offers_the_recent_repositories() {
    let mut s = catalog_state();
    s.registry = Some("docker.io".into());
    s.reply(
        manifest_tui::tui::worker::Slot::Catalog,
        manifest_tui::tui::worker::Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: vec!["library/alpine".into(), "team/app-server".into()],
        },
        &manifest_tui::tui::pane::Ctx::default(),
    );
    let t = browser(100, 9, &s);
    let screen = text(&t);
    assert!(
        screen.contains("docker.io does not list its repositories (401 UNAUTHORIZED).")
            && screen.contains("Recently opened here"),
        "{screen}"
    );
    assert_eq!(
        rows_among(&screen, &["library/alpine", "team/app-server"]),
        ["library/alpine", "team/app-server"],
        "{screen}"
    );
    assert!(
        !screen.contains("repository:"),
        "no prompt forced: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn tags_sorted() {
    let mut s = catalog_state();
    s.level = Level::Tags;
    s.repo = Some("samples/app".into());
    s.tags
        .extend(["v1", "v10", "v2", "v2-oci", "latest"].map(String::from));
    s.tags_load = Load::Done;
    let mut ctx = Default::default();
    s.action(manifest_tui::tui::keymap::Action::Sort, &mut ctx);
    s.action(manifest_tui::tui::keymap::Action::Sort, &mut ctx);
    let t = browser(80, 11, &s);
    let screen = text(&t);
    assert_eq!(
        rows_among(&screen, &["v1", "v10", "v2", "v2-oci", "latest"]),
        ["v10", "v2-oci", "v2", "v1", "latest"],
        "newest version first, then the rest: {screen}"
    );
    assert!(screen.contains("5 tags, sorted version ↓"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn content_loading() {
    let s = fixtures::browser_with_content("v1", None, Load::Loading);
    let t = browser(80, 8, &s);
    assert!(text(&t).contains("loading the manifest…"), "{}", text(&t));
    insta::assert_snapshot!(t.backend());
}

#[test]
fn content_error() {
    let s = fixtures::browser_with_content(
        "v9",
        None,
        Load::Failed(
            "fetching 127.0.0.1:5000/samples/app:v9: MANIFEST_UNKNOWN: manifest unknown".into(),
        ),
    );
    let t = browser(100, 8, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "error:").contains(
            "error: fetching 127.0.0.1:5000/samples/app:v9: MANIFEST_UNKNOWN: manifest unknown  (r retries)"
        ),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn content_six_entry_list_wide() {
    let s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    let t = browser(160, 12, &s);
    let screen = text(&t);
    let list = mt_testkit::samples::list("v1", false);
    assert!(
        row(&screen, "docker list").contains(list.digest.as_str()),
        "{screen}"
    );
    for child in &list.children {
        let label = child.platform.display();
        assert!(
            row(&screen, &format!("{label} ")).contains(child.digest.as_str()),
            "{label}: its whole digest on its row:\n{screen}"
        );
    }
    assert!(screen.contains("list: 6 entries"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn content_six_entry_oci_index_narrow() {
    let mut s = fixtures::browser_with_content(
        "v1-oci",
        Some(fixtures::sample_list("v1", true)),
        Load::Done,
    );
    fixtures::view(&mut s).sel.set(4);
    let t = browser(90, 12, &s);
    let screen = text(&t);
    let list = mt_testkit::samples::list("v1", true);
    for child in &list.children {
        let label = child.platform.display();
        let r = row(&screen, &format!("{label} "));
        assert!(
            r.contains(&child.digest.short()) && !r.contains(child.digest.as_str()),
            "{label}: the short digest at 90 columns: {r}"
        );
    }
    let selected = fixtures::reversed_rows(&t);
    assert!(
        selected.len() == 1 && selected[0].contains("linux/s390x"),
        "the fifth row selected: {selected:?}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn content_image() {
    let s = fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_image("linux/arm64/v8", "v1")),
        Load::Done,
    );
    let t = browser(100, 10, &s);
    let screen = text(&t);
    let img = mt_testkit::samples::images("v1", false)
        .into_iter()
        .find(|i| i.platform.display() == "linux/arm64/v8")
        .expect("the arm64 sample");
    assert!(
        row(&screen, "config ").contains(&img.blobs[0].0.short()),
        "{screen}"
    );
    let layer = row(&screen, &img.blobs[1].0.short());
    assert!(layer.contains("2.0 KiB"), "{layer}");
    assert!(screen.contains("image: 1 layer, 2.0 KiB"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

/// A list's table before its details arrive (spinners), then with them: per platform the
/// image's size, layer count and created time; a platform whose details failed says why.
#[test]
fn content_list_details_loading_then_filled_with_a_failure() {
    let mut s = fixtures::browser_on_webapp(fixtures::webapp_list());
    fixtures::view(&mut s).details = manifest_tui::tui::state::Remote::asked();
    let t = browser(150, 9, &s);
    assert!(
        text(&t).contains("loading what is inside each platform…"),
        "{}",
        text(&t)
    );
    insta::assert_snapshot!("webapp_details_loading", t.backend());
    fixtures::view(&mut s).details = manifest_tui::tui::state::Remote::arrived(vec![
        Ok(Box::new(fixtures::webapp_details(0))),
        Ok(Box::new(fixtures::webapp_details(1))),
        Err(
            "fetching the image config of 127.0.0.1:5000/samples/webapp@sha256:…: \
             digest mismatch"
                .into(),
        ),
    ]);
    let t = browser(150, 9, &s);
    let screen = text(&t);
    let size = |i: usize| manifest_tui::ops::human_size(fixtures::webapp_details(i).size());
    for (i, platform) in ["linux/amd64", "linux/arm64/v8"].iter().enumerate() {
        let r = row(&screen, &format!("{platform} "));
        assert!(
            r.contains(&size(i)) && r.contains("  3  "),
            "{platform}: {r}"
        );
    }
    assert!(
        row(&screen, "linux/arm/v7 ").contains("details failed: fetching th"),
        "{screen}"
    );
    let total = fixtures::webapp_details(0).size() + fixtures::webapp_details(1).size();
    assert!(
        screen.contains(&format!(
            "list: 3 entries, {} in all",
            manifest_tui::ops::human_size(total)
        )),
        "{screen}"
    );
    insta::assert_snapshot!("webapp_details_filled", t.backend());
    insta::assert_snapshot!("webapp_details_narrow", browser(90, 9, &s).backend());
}

/// An opened platform: the config fields, the history with the layers steps made (empty
/// steps marked), then the layers; the selected row's whole text wrapped at the bottom.
#[test]
fn content_image_config_history_and_layers() {
    let mut s = fixtures::browser_on_webapp_image(1);
    let t = browser(100, 30, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "entrypoint").contains("/usr/local/bin/webapp"),
        "{screen}"
    );
    assert!(row(&screen, "user ").contains("10001:10001"), "{screen}");
    assert!(
        screen.contains("History  12 steps, 3 made a layer, 9 empty"),
        "{screen}"
    );
    assert!(row(&screen, "ARG VERSION").contains("empty"), "{screen}");
    insta::assert_snapshot!("webapp_image_top", t.backend());
    // Down to the long WEBAPP_FEATURES value: cut with … in its row, whole underneath.
    let rows = s.view.as_ref().unwrap().image_rows().unwrap();
    let long = rows
        .iter()
        .position(|r| r.full_text().contains("WEBAPP_FEATURES"))
        .unwrap();
    fixtures::view(&mut s).sel.set(long);
    let t = browser(80, 16, &s);
    let screen = text(&t);
    let whole = rows[long].full_text();
    let whole = whole.trim();
    assert!(
        row(&screen, "WEBAPP_FEATURES").contains('…'),
        "cut in its row: {screen}"
    );
    let unwrapped: String = screen
        .lines()
        .skip_while(|l| !l.contains("│WEBAPP_FEATURES"))
        .take_while(|l| !l.contains("image: "))
        .map(|l| l.trim_matches(|c: char| c == '"' || c == '│' || c.is_whitespace()))
        .collect();
    assert_eq!(unwrapped, whole, "whole underneath:\n{screen}");
    insta::assert_snapshot!("webapp_image_long_value", t.backend());
    // The end: the layers, each with the step that made it.
    fixtures::view(&mut s).sel.set(rows.len() - 1);
    let t = browser(100, 16, &s);
    let screen = text(&t);
    let w = mt_testkit::samples::details::webapp();
    for (n, (d, _)) in w.images[1].blobs[1..].iter().enumerate() {
        assert!(
            row(&screen, &d.short()).contains("tar+gzip"),
            "layer {}: {screen}",
            n + 1
        );
    }
    assert!(
        row(&screen, "COPY webapp /usr/local/bin/webapp").contains(&w.images[1].blobs[2].0.short()),
        "the layer and the step that made it: {screen}"
    );
    insta::assert_snapshot!("webapp_image_layers", t.backend());
}

/// BuildKit attestation entries are not rows: a marker on the platform they describe.
#[test]
fn content_attested_list_marks_platforms_and_hides_attestation_entries() {
    let s = fixtures::attested_browser();
    assert_eq!(s.view.as_ref().unwrap().rows(), 6);
    insta::assert_snapshot!("attested_list", browser(160, 12, &s).backend());
}

/// "in all" is the images' size; the attestation manifests' is said apart, and only when
/// every one of them is known.
#[test]
fn list_summary_counts_images_in_all_and_attestations_apart() {
    use manifest_tui::ops::human_size;
    let a = mt_testkit::samples::attest::attested();
    let mut s = fixtures::attested_browser();
    let sizes = |from: usize, to: usize| -> i64 {
        s.view.as_ref().unwrap().details.value().expect("details")[from..to]
            .iter()
            .map(|d| d.as_ref().expect("details").size())
            .sum()
    };
    let (images, attestations) = (a.images.len(), a.attestations.len());
    let (image_total, attestation_total) = (sizes(0, images), sizes(images, images + attestations));
    assert!(image_total > 0 && attestation_total > 0);
    let screen = browser(160, 12, &s).backend().to_string();
    let want = format!(
        "{} in all (+ {} attestations)",
        human_size(image_total),
        human_size(attestation_total)
    );
    assert!(screen.contains(&want), "{want:?} in {screen}");
    // One attestation's details failed: its size is unknown, so none is said.
    fixtures::view(&mut s).details.value_mut().expect("details")[images] = Err("HTTP 500".into());
    let screen = browser(160, 12, &s).backend().to_string();
    let want = format!("{} in all ", human_size(image_total));
    assert!(screen.contains(&want), "{want:?} in {screen}");
    assert!(!screen.contains("(+ "), "{screen}");
}

/// What refers to the list shown (here by the referrers tag scheme) is said in its header.
#[test]
fn content_header_names_the_referrers() {
    let mut s = fixtures::attested_browser();
    let c = fixtures::view(&mut s).content.value_mut().expect("content");
    c.referrers = Some(Ok(fixtures::signature_referrers()));
    let screen = browser(200, 12, &s).backend().to_string();
    assert!(
        screen.contains("referred to by 1: application/vnd.example.signature.v1+json (tag scheme)"),
        "{screen}"
    );
    insta::assert_snapshot!(
        "attested_list_with_referrers",
        browser(200, 12, &s).backend()
    );
    // None: nothing is said; a failure says why.
    let c = fixtures::view(&mut s).content.value_mut().expect("content");
    c.referrers = Some(Err("HTTP 500".into()));
    let screen = browser(200, 12, &s).backend().to_string();
    assert!(screen.contains("referrers: HTTP 500"), "{screen}");
}

/// A platform opened from an attested list: what its attestations say (predicate type and
/// summary) between its config and its history.
#[test]
fn content_image_with_its_attestation_statements() {
    let s = fixtures::attested_image_browser();
    let t = browser(110, 30, &s);
    let screen = text(&t);
    assert!(screen.contains("Attestations  2 statements"), "{screen}");
    assert!(
        row(&screen, "SBOM ").contains("https://spdx.dev/Document")
            && row(&screen, "provenance ").contains("https://slsa.dev/provenance/v0.2"),
        "{screen}"
    );
    let (attestations, history) = (
        screen.find("Attestations").expect("attestations"),
        screen.find("History").expect("history"),
    );
    assert!(
        screen.find("Config").expect("config") < attestations && attestations < history,
        "between the config and the history: {screen}"
    );
    insta::assert_snapshot!("attested_image_statements", t.backend());
}

/// Tags of the referrers tag scheme are marked as such in the tag list.
#[test]
fn tags_mark_referrers_tag_scheme_tags() {
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    s.repo = Some("samples/attested".into());
    s.tags.clear();
    let index = mt_testkit::samples::attest::attested().index.digest;
    s.tags.extend([
        manifest_tui::attest::referrers_tag(&index),
        "v1".to_string(),
    ]);
    s.tags_load = Load::Done;
    let t = browser(110, 7, &s);
    let screen = text(&t);
    assert!(
        row(&screen, &manifest_tui::attest::referrers_tag(&index))
            .contains("referrers (tag scheme)"),
        "{screen}"
    );
    assert!(!row(&screen, " v1 ").contains("referrers"), "{screen}");
    insta::assert_snapshot!("tags_with_a_referrers_tag", t.backend());
}

#[test]
fn compare_empty() {
    let t = compare_pane(100, 10, &CompareState::new());
    let screen = text(&t);
    assert!(
        screen.contains("Nothing to compare yet.")
            && screen.contains("press a on a tag or list for side A and b on another for side B"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compare_loading() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    s.load = Load::Loading;
    let t = compare_pane(100, 10, &s);
    let screen = text(&t);
    assert!(screen.contains("loading both sides…"), "{screen}");
    assert!(row(&screen, "A: ").contains("samples/app:v1"), "{screen}");
    assert!(row(&screen, "B: ").contains("samples/app:v2"), "{screen}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compare_each_kind_of_row() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    s.result = Some(fixtures::comparison_all_kinds());
    s.load = Load::Done;
    let t = compare_pane(100, 12, &s);
    let screen = text(&t);
    assert_compare_rows(&screen);
    assert!(
        screen.contains(
            "1 identical · 1 format only · 1 config only · 1 layers changed · 1 changed · 1 only in A"
        ),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compare_each_kind_of_row_wide() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    let c = fixtures::comparison_all_kinds();
    s.result = Some(c.clone());
    s.load = Load::Done;
    let t = compare_pane(190, 12, &s);
    let screen = text(&t);
    assert_compare_rows(&screen);
    // Wide: both digests on each row ("—" for a side without the platform).
    for r in c.rows.iter().take(6) {
        let label = r.platform.display();
        let line = row(&screen, &format!(" {label} "));
        for side in [&r.a, &r.b] {
            match side {
                Some(d) => assert!(line.contains(&d.digest.short()), "{label}: {line}"),
                None => assert!(line.contains('—'), "{label}: {line}"),
            }
        }
    }
    assert!(
        screen.contains("1 changed · 1 only in A · 1 only in B"),
        "the whole summary: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

/// The rows of [`fixtures::comparison_all_kinds`] in the comparison table: per platform its
/// marker, its status and why.
fn assert_compare_rows(screen: &str) {
    for (platform, marker, status, why) in [
        ("linux/amd64", "=", "identical", ""),
        ("linux/arm/v7", "≈", "format only", "docker → oci"),
        (
            "linux/arm64/v8",
            "≠",
            "layers changed",
            "2 of 4 layers, +4.0 KiB -2.0 KiB",
        ),
        ("linux/ppc64le", "A", "only in A", "3 layers"),
        ("linux/riscv64", "B", "only in B", "3 layers"),
        (
            "linux/s390x",
            "≠",
            "changed",
            "fetching the image config: blob…",
        ),
    ] {
        let line = row(screen, &format!(" {platform} "));
        let cells: Vec<&str> = line
            .trim_matches(|c: char| c == '"' || c == '│')
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(
            cells.first().copied(),
            Some(format!("{marker} {platform}").as_str()),
            "{line}"
        );
        assert!(
            line.contains(&format!(" {status} ")) && line.contains(why),
            "{platform}: {status}, {why:?}: {line}"
        );
    }
}

/// The case in the TUI: an image recompressed and relabelled is a config change in
/// the compare pane, and its platform view shows every layer as the same content and counts
/// no changed layer.
#[test]
fn compare_a_recompressed_and_relabelled_image_is_a_config_change() {
    let text = |t: &Terminal<TestBackend>| -> Vec<String> {
        let b = t.backend().buffer();
        (0..b.area.height)
            .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect())
            .collect()
    };
    let mut s = CompareState::new();
    s.a = Some(remote("samples/pairs:v1"));
    s.b = Some(remote("samples/pairs:repacked"));
    let c = fixtures::comparison_recompressed_relabelled();
    s.result = Some(c.clone());
    s.load = Load::Done;
    let screen = text(&compare_pane(100, 8, &s));
    let row = screen
        .iter()
        .find(|l| l.contains("linux/amd64"))
        .expect("the row");
    assert!(
        row.contains("c linux/amd64") && row.contains("config only") && row.contains("labels"),
        "{row}"
    );
    assert!(
        !screen.iter().any(|l| l.contains("layers changed · ")),
        "{screen:#?}"
    );
    s.platform = Some(PlatformDiffState::new(&c, &c.rows[0]));
    let t = compare_pane(120, 20, &s);
    let screen = text(&t);
    assert!(screen[3].contains("config only: labels"), "{screen:#?}");
    let same = screen
        .iter()
        .filter(|l| l.contains(" same content "))
        .count();
    assert_eq!(same, 3, "{screen:#?}");
    assert!(
        screen
            .iter()
            .any(|l| l.contains("layers: A 3, B 3; 0 of 3 changed, 3 shared (3 recompressed)")),
        "{screen:#?}"
    );
    insta::assert_snapshot!(t.backend());
}

/// The comparison with one platform's view opened on the row of `platform`.
fn platform_view(platform: &str) -> CompareState {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/pairs:v1"));
    s.b = Some(remote("samples/pairs:mixed"));
    let c = fixtures::comparison_all_kinds();
    let row = c
        .rows
        .iter()
        .find(|r| r.platform.display().starts_with(platform))
        .expect("a fixture row");
    s.platform = Some(PlatformDiffState::new(&c, row));
    s.result = Some(c);
    s.load = Load::Done;
    s
}

#[test]
fn platform_diff_a_new_base_layer() {
    let t = compare_pane(120, 24, &platform_view("linux/arm64/v8"));
    let screen = text(&t);
    assert!(
        screen.contains("layers changed: 2 of 4 layers, +4.0 KiB -2.0 KiB"),
        "{screen}"
    );
    assert!(
        row(&screen, "ADD base-2.0.tar /  ").contains("rebuilt"),
        "{screen}"
    );
    assert!(
        row(&screen, "RUN update-ca-certificates  ").contains("only in B"),
        "{screen}"
    );
    assert!(
        row(&screen, "COPY deps /deps").contains("shared"),
        "{screen}"
    );
    assert!(row(&screen, "COPY app /app").contains("shared"), "{screen}");
    assert!(
        screen.contains("- ADD base-1.0.tar /") && screen.contains("+ ADD base-2.0.tar /"),
        "{screen}"
    );
    assert!(
        screen.contains("layers: A 3, B 4; 2 of 4 changed (1 rebuilt, 1 added), 2 shared")
            && screen.contains("a host with A pulls 5.0 KiB to run B"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn platform_diff_a_label_only_change() {
    let t = compare_pane(100, 20, &platform_view("windows/amd64"));
    let screen = text(&t);
    assert!(screen.contains("config only: labels"), "{screen}");
    let layers: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("KiB sha256:"))
        .collect();
    let (layer_rows, shared) = (
        layers.len(),
        layers.iter().filter(|l| l.contains(" shared ")).count(),
    );
    assert_eq!((layer_rows, shared), (3, 3), "every layer shared: {screen}");
    assert!(
        screen.contains("- org.opencontainers.image.version=1.0.0")
            && screen.contains("+ org.opencontainers.image.version=1.0.1"),
        "{screen}"
    );
    assert!(
        screen.contains("layers: A 3, B 3; 0 of 3 changed, 3 shared"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn platform_diff_only_in_b_and_unread() {
    let t = compare_pane(100, 16, &platform_view("linux/riscv64"));
    let screen = text(&t);
    assert!(screen.contains("only in B: 3 layers"), "{screen}");
    assert_eq!(
        screen.lines().filter(|l| l.contains(" only in B ")).count(),
        3,
        "{screen}"
    );
    assert!(
        screen.contains("one side only: nothing to compare")
            && screen.contains("layers: A 0, B 3; 3 of 3 changed (3 added), 0 shared"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
    let t = compare_pane(100, 8, &platform_view("linux/s390x"));
    let screen = text(&t);
    assert!(
        screen.contains("changed: fetching the image config: blob unknown"),
        "unread: says why: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn compare_error() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:nope"));
    s.load = Load::Failed(
        "comparing samples/app:v1 with samples/app:nope failed: manifest unknown".into(),
    );
    let t = compare_pane(100, 10, &s);
    let screen = text(&t);
    assert!(
        screen.contains(
            "error: comparing samples/app:v1 with samples/app:nope failed: manifest unknown  (r retries)"
        ),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn help_overlay_from_the_keymap() {
    let t = render(100, 40, |f, v| {
        help::draw(
            f,
            f.area(),
            &[Context::Tags, Context::Browser, Context::List],
            0,
            v,
        )
    });
    // Generated from the table: each binding of the first context shown with its keys.
    let screen = text(&t);
    let km = Keymap::default();
    for b in km.in_context(Context::Tags) {
        let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
        // A long row is cut at the overlay's edge: find it by the start of its text.
        let start: String = b.description.chars().take(30).collect();
        let line = row(&screen, &format!("  {:<22}{start}", keys.join(" ")));
        let name = format!("[tags {}]", b.action.name());
        assert!(
            line.contains(&name) || !line.contains(']'),
            "{name} ends the row unless it is cut: {line}"
        );
    }
    insta::assert_snapshot!(t.backend());
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
        manifest_tui::registry::RateLimit {
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

/// The copy destination prompt over a list, with the error of a refused destination.
#[test]
fn browser_copy_prompt() {
    use manifest_tui::tui::keymap::Action;
    use manifest_tui::tui::pane::Ctx;
    let mut s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    s.action(Action::CopyImage, &mut Ctx::default());
    s.paste("127.0.0.1:6000/team/app@sha256:0123");
    s.action(Action::Submit, &mut Ctx::default());
    let t = browser(110, 14, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "copy to:").contains("127.0.0.1:6000/team/app@sha256:0123"),
        "the prompt keeps what was typed: {screen}"
    );
    assert!(
        row(&screen, "invalid digest")
            .contains("invalid digest in \"127.0.0.1:6000/team/app@sha256:0123\""),
        "the refusal under it: {screen}"
    );
    insta::assert_snapshot!(t.backend());
}

/// The platform checklist: six platforms, the second unchecked, the cursor on it.
#[test]
fn browser_copy_checklist() {
    use manifest_tui::tui::keymap::Action;
    use manifest_tui::tui::pane::Ctx;
    let mut s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    s.paste("127.0.0.1:6000/team/app:rc-1");
    s.action(Action::Submit, &mut ctx);
    s.action(Action::Down, &mut ctx);
    s.action(Action::Toggle, &mut ctx);
    let t = browser(100, 16, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "to 127.0.0.1").contains("team/app:rc-1"),
        "{screen}"
    );
    for p in [
        "linux/amd64",
        "linux/arm/v7",
        "linux/ppc64le",
        "linux/s390x",
        "windows/amd64",
    ] {
        assert!(
            row(&screen, &format!("] {p}")).contains(&format!("[x] {p}")),
            "{screen}"
        );
    }
    assert!(
        screen.contains("[ ] linux/arm64/v8"),
        "the unchecked one: {screen}"
    );
    assert!(
        screen.contains("some checked: a new list of those platforms (new digest)"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

/// The checklist of a release with a known signature: its six platforms, then the row for
/// what refers to it, checked, the cursor on it.
#[test]
fn browser_copy_checklist_with_referrers() {
    use manifest_tui::tui::keymap::Action;
    use manifest_tui::tui::pane::Ctx;
    let mut s = fixtures::attested_browser();
    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(fixtures::signature_referrers()));
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    s.paste("127.0.0.1:6000/promoted/attested:v1");
    s.action(Action::Submit, &mut ctx);
    for _ in 0..6 {
        s.action(Action::Down, &mut ctx);
    }
    let screen = browser(100, 18, &s).backend().to_string();
    assert!(
        screen.contains("[x] what refers to it and its entries (1 signature seen on it)"),
        "{screen}"
    );
    insta::assert_snapshot!(browser(100, 18, &s).backend());
}

/// The delete question names every other tag that goes with the digest.
#[test]
fn browser_delete_confirmation_lists_the_other_tags() {
    use manifest_tui::digest::Digest;
    use manifest_tui::ops::DeletePlan;
    use manifest_tui::tui::state::browser::{DeleteConfirm, Overlay};
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    let v1 = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
    let d = Digest::sha256(b"list");
    s.overlay = Some(Overlay::Delete(DeleteConfirm::Ask(Box::new(DeletePlan {
        target: v1.at_digest(&d),
        digest: d.clone(),
        tags: vec!["v1".into(), "v1-oci".into(), "stable".into()],
        by_tag: Some("v1".into()),
    }))));
    let t = browser(110, 14, &s);
    let screen = text(&t);
    assert!(
        row(&screen, "samples/app@").contains(&format!("{HOST}/samples/app@{d}")),
        "what goes, by its whole digest: {screen}"
    );
    // The other tags, and only them: the lines between the count and the keys.
    let inner = |l: &str| {
        l.split('│')
            .nth(2)
            .map(|c| c.trim().to_string())
            .unwrap_or_default()
    };
    let dialog: Vec<String> = screen
        .lines()
        .map(inner)
        .skip_while(|l| l != "these tags disappear too (2):")
        .skip(1)
        .take_while(|l| !l.starts_with("y/Enter"))
        .collect();
    assert_eq!(dialog, ["v1-oci", "stable"], "{screen}");
    assert!(
        screen.contains("y/Enter: delete   n/Esc: keep it"),
        "{screen}"
    );
    insta::assert_snapshot!(t.backend());
}

/// The panel of what refers to the attested list (`R`): one row per referrer with its kind,
/// artifact type, digest, size and created time; the title says how they were found. At 100
/// columns the digest is short and the type cut, both whole under the rows; at 160 whole.
#[test]
fn referrers_panel_lists_each_referrer() {
    let mut s = fixtures::attested_browser();
    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(fixtures::signature_referrers()));
    fixtures::view(&mut s).panel = Some(Default::default());
    let sig = mt_testkit::samples::attest::attested().signature.digest;
    let narrow = browser(100, 16, &s).backend().to_string();
    assert!(
        narrow.contains("What refers to sha256:ef6386dbb60b: 1, by the tag scheme"),
        "{narrow}"
    );
    let row = narrow
        .lines()
        .find(|l| l.contains("signature "))
        .expect("the signature's row");
    assert!(
        row.contains(&sig.short()) && !row.contains(sig.as_str()),
        "{row}"
    );
    assert!(row.contains("2026-11-30T10:05:00Z"), "{row}");
    assert!(
        narrow.contains(&format!("digest {sig}")),
        "whole under the rows:\n{narrow}"
    );
    assert!(
        narrow.contains(&format!(
            "type {}",
            mt_testkit::samples::attest::SIGNATURE_TYPE
        )),
        "{narrow}"
    );
    insta::assert_snapshot!("referrers_panel_100", browser(100, 16, &s).backend());
    let wide = browser(160, 16, &s).backend().to_string();
    let row = wide
        .lines()
        .find(|l| l.contains("signature "))
        .expect("the signature's row");
    assert!(
        row.contains(sig.as_str()) && row.contains(mt_testkit::samples::attest::SIGNATURE_TYPE),
        "whole digest and type in the row at 160 columns: {row}"
    );
    insta::assert_snapshot!("referrers_panel_160", browser(160, 16, &s).backend());
}

/// The panel before the referrers arrive, when asking failed, and when nothing refers to the
/// manifest: it says so (and how it asked), and never blocks.
#[test]
fn referrers_panel_loading_failed_and_empty() {
    let mut s = fixtures::attested_browser();
    fixtures::view(&mut s).panel = Some(Default::default());
    let loading = browser(100, 12, &s).backend().to_string();
    assert!(
        loading.contains("asking what refers to sha256:ef6386dbb60b…")
            && loading.contains("by the registry's referrers API, else by the tag scheme"),
        "{loading}"
    );
    insta::assert_snapshot!("referrers_panel_loading", browser(100, 12, &s).backend());

    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Err("HTTP 500 from the registry".into()));
    let failed = browser(100, 12, &s).backend().to_string();
    assert!(
        failed.contains("could not ask what refers to it: HTTP 500 from the registry"),
        "{failed}"
    );
    assert!(failed.contains("r asks again"), "{failed}");

    let mut none = fixtures::signature_referrers();
    none.descriptors.clear();
    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(none));
    let empty = browser(100, 12, &s).backend().to_string();
    assert!(empty.contains("nothing refers to it"), "{empty}");
    assert!(
        empty.contains("asked by the tag scheme (the registry has no referrers API):")
            && empty.contains(&format!(
                "nothing under the tag {}",
                manifest_tui::attest::referrers_tag(
                    &mt_testkit::samples::attest::attested().index.digest
                )
            )),
        "{empty}"
    );
    insta::assert_snapshot!("referrers_panel_empty", browser(100, 12, &s).backend());
}

/// A signature opened from the panel, in the image view: its artifact type and kind, the
/// manifest it refers to, its annotations, the empty config's type, and its payload layer by
/// its whole media type (no platform of `?/?`).
#[test]
fn content_artifact_shows_its_type_and_subject() {
    let s = fixtures::signature_image_browser();
    let a = mt_testkit::samples::attest::attested();
    let screen = browser(120, 16, &s).backend().to_string();
    assert!(
        screen.contains("artifact     signature: application/vnd.example.signature.v1+json"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("subject      {}", a.index.digest)),
        "{screen}"
    );
    assert!(
        screen.contains("application/vnd.example.signature.payload.v1+json"),
        "{screen}"
    );
    assert!(
        screen.contains("application/vnd.oci.empty.v1+json"),
        "{screen}"
    );
    assert!(!screen.contains("?/?"), "{screen}");
    insta::assert_snapshot!("content_artifact", browser(120, 16, &s).backend());
}

/// Every message that names a key takes it from the key table: with every such action
/// rebound (F-keys, Alt- and Ctrl- combinations), the panes' hints, the notices and the
/// prompts name the new keys, and no default key is spelled anywhere in them.
#[test]
fn messages_name_the_keys_of_a_custom_keymap() {
    use fixtures::sample_draft;
    use manifest_tui::tui::keymap::Action;
    use manifest_tui::tui::pane::{AppEvent, Ctx, Transfer};
    use manifest_tui::tui::panes::{editor, push};
    use manifest_tui::tui::state::editor::EditorState;
    use manifest_tui::tui::state::push::{PushState, PushStatus};
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
    let mut p = PushState::new();
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
        vec![manifest_tui::tui::worker::DraftRow {
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
    let d = manifest_tui::digest::Digest::sha256(b"list");
    s.overlay = Some(manifest_tui::tui::state::browser::Overlay::Delete(
        manifest_tui::tui::state::browser::DeleteConfirm::Ask(Box::new(
            manifest_tui::ops::DeletePlan {
                target: Reference::parse(&format!("{HOST}/samples/app@{d}")).unwrap(),
                digest: d.clone(),
                tags: vec!["v1".into()],
                by_tag: Some("v1".into()),
            },
        )),
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
