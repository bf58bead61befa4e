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

#[test]
fn registries_empty() {
    let mut s = BrowserState::new();
    s.registries_load = Load::Done;
    insta::assert_snapshot!(browser(80, 12, &s).backend());
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
    insta::assert_snapshot!(browser(80, 10, &s).backend());
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
    insta::assert_snapshot!(browser(80, 10, &s).backend());
}

#[test]
fn catalog_streaming_filtered() {
    let mut s = catalog_state();
    s.catalog.extend(fixtures::repo_names(300));
    s.catalog.set_filter("team-3/ 00");
    s.catalog.move_by(2);
    s.catalog_load = Load::Partial;
    insta::assert_snapshot!(browser(80, 12, &s).backend());
}

#[test]
fn catalog_empty() {
    let mut s = catalog_state();
    s.catalog_load = Load::Done;
    insta::assert_snapshot!(browser(80, 8, &s).backend());
}

#[test]
fn catalog_error() {
    let mut s = catalog_state();
    s.catalog_load = Load::Failed(
        "listing the repositories of 127.0.0.1:5000 failed: connection refused \u{1b}[31m(is the registry running?)".into(),
    );
    insta::assert_snapshot!(browser(100, 8, &s).backend());
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
    );
    let _: &mut manifest_tui::tui::pane::Ctx = &mut ctx;
    insta::assert_snapshot!(browser(100, 9, &s).backend());
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
    );
    insta::assert_snapshot!(browser(100, 9, &s).backend());
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
    insta::assert_snapshot!(browser(80, 11, &s).backend());
}

#[test]
fn content_loading() {
    let s = fixtures::browser_with_content("v1", None, Load::Loading);
    insta::assert_snapshot!(browser(80, 8, &s).backend());
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
    insta::assert_snapshot!(browser(100, 8, &s).backend());
}

#[test]
fn content_six_entry_list_wide() {
    let s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    insta::assert_snapshot!(browser(160, 12, &s).backend());
}

#[test]
fn content_six_entry_oci_index_narrow() {
    let mut s = fixtures::browser_with_content(
        "v1-oci",
        Some(fixtures::sample_list("v1", true)),
        Load::Done,
    );
    s.content_sel.set(4);
    insta::assert_snapshot!(browser(90, 12, &s).backend());
}

#[test]
fn content_image() {
    let s = fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_image("linux/arm64/v8", "v1")),
        Load::Done,
    );
    insta::assert_snapshot!(browser(100, 10, &s).backend());
}

/// A list's table before its details arrive (spinners), then with them: per platform the
/// image's size, layer count and created time; a platform whose details failed says why.
#[test]
fn content_list_details_loading_then_filled_with_a_failure() {
    let mut s = fixtures::browser_on_webapp(fixtures::webapp_list());
    s.details_load = Load::Loading;
    insta::assert_snapshot!("webapp_details_loading", browser(150, 9, &s).backend());
    s.details = Some(vec![
        Ok(Box::new(fixtures::webapp_details(0))),
        Ok(Box::new(fixtures::webapp_details(1))),
        Err(
            "fetching the image config of 127.0.0.1:5000/samples/webapp@sha256:…: \
             digest mismatch"
                .into(),
        ),
    ]);
    s.details_load = Load::Done;
    insta::assert_snapshot!("webapp_details_filled", browser(150, 9, &s).backend());
    insta::assert_snapshot!("webapp_details_narrow", browser(90, 9, &s).backend());
}

/// An opened platform: the config fields, the history with the layers steps made (empty
/// steps marked), then the layers; the selected row's whole text wrapped at the bottom.
#[test]
fn content_image_config_history_and_layers() {
    let mut s = fixtures::browser_on_webapp_image(1);
    insta::assert_snapshot!("webapp_image_top", browser(100, 30, &s).backend());
    // Down to the long WEBAPP_FEATURES value: cut with … in its row, whole underneath.
    let rows = s.image_rows().unwrap();
    let long = rows
        .iter()
        .position(|r| r.full_text().contains("WEBAPP_FEATURES"))
        .unwrap();
    s.content_sel.set(long);
    insta::assert_snapshot!("webapp_image_long_value", browser(80, 16, &s).backend());
    // The end: the layers, each with the step that made it.
    s.content_sel.set(rows.len() - 1);
    insta::assert_snapshot!("webapp_image_layers", browser(100, 16, &s).backend());
}

/// BuildKit attestation entries are not rows: a marker on the platform they describe.
#[test]
fn content_attested_list_marks_platforms_and_hides_attestation_entries() {
    let s = fixtures::attested_browser();
    assert_eq!(s.content_rows(), 6);
    insta::assert_snapshot!("attested_list", browser(160, 12, &s).backend());
}

/// "in all" is the images' size; the attestation manifests' is said apart, and only when
/// every one of them is known.
#[test]
fn list_summary_counts_images_in_all_and_attestations_apart() {
    use manifest_tui::ops::human_size;
    let a = manifest_tui::samples::attest::attested();
    let mut s = fixtures::attested_browser();
    let sizes = |from: usize, to: usize| -> i64 {
        s.details.as_ref().expect("details")[from..to]
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
    s.details.as_mut().expect("details")[images] = Err("HTTP 500".into());
    let screen = browser(160, 12, &s).backend().to_string();
    let want = format!("{} in all ", human_size(image_total));
    assert!(screen.contains(&want), "{want:?} in {screen}");
    assert!(!screen.contains("(+ "), "{screen}");
}

/// What refers to the list shown (here by the referrers tag scheme) is said in its header.
#[test]
fn content_header_names_the_referrers() {
    let mut s = fixtures::attested_browser();
    let c = s.content.as_mut().expect("content");
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
    let c = s.content.as_mut().expect("content");
    c.referrers = Some(Err("HTTP 500".into()));
    let screen = browser(200, 12, &s).backend().to_string();
    assert!(screen.contains("referrers: HTTP 500"), "{screen}");
}

/// A platform opened from an attested list: what its attestations say (predicate type and
/// summary) between its config and its history.
#[test]
fn content_image_with_its_attestation_statements() {
    let s = fixtures::attested_image_browser();
    insta::assert_snapshot!("attested_image_statements", browser(110, 30, &s).backend());
}

/// Tags of the referrers tag scheme are marked as such in the tag list.
#[test]
fn tags_mark_referrers_tag_scheme_tags() {
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    s.repo = Some("samples/attested".into());
    s.tags.clear();
    let index = manifest_tui::samples::attest::attested().index.digest;
    s.tags.extend([
        manifest_tui::attest::referrers_tag(&index),
        "v1".to_string(),
    ]);
    s.tags_load = Load::Done;
    insta::assert_snapshot!("tags_with_a_referrers_tag", browser(110, 7, &s).backend());
}

#[test]
fn compare_empty() {
    insta::assert_snapshot!(compare_pane(100, 10, &CompareState::new()).backend());
}

#[test]
fn compare_loading() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    s.load = Load::Loading;
    insta::assert_snapshot!(compare_pane(100, 10, &s).backend());
}

#[test]
fn compare_each_kind_of_row() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    s.result = Some(fixtures::comparison_all_kinds());
    s.load = Load::Done;
    insta::assert_snapshot!(compare_pane(100, 12, &s).backend());
}

#[test]
fn compare_each_kind_of_row_wide() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:v2"));
    s.result = Some(fixtures::comparison_all_kinds());
    s.load = Load::Done;
    insta::assert_snapshot!(compare_pane(190, 12, &s).backend());
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
    insta::assert_snapshot!(compare_pane(120, 24, &platform_view("linux/arm64/v8")).backend());
}

#[test]
fn platform_diff_a_label_only_change() {
    insta::assert_snapshot!(compare_pane(100, 20, &platform_view("windows/amd64")).backend());
}

#[test]
fn platform_diff_only_in_b_and_unread() {
    insta::assert_snapshot!(compare_pane(100, 16, &platform_view("linux/riscv64")).backend());
    insta::assert_snapshot!(compare_pane(100, 8, &platform_view("linux/s390x")).backend());
}

#[test]
fn compare_error() {
    let mut s = CompareState::new();
    s.a = Some(remote("samples/app:v1"));
    s.b = Some(remote("samples/app:nope"));
    s.load = Load::Failed(
        "comparing samples/app:v1 with samples/app:nope failed: manifest unknown".into(),
    );
    insta::assert_snapshot!(compare_pane(100, 10, &s).backend());
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
    insta::assert_snapshot!(app_frame(&app, 100, 10).backend());
}

#[test]
fn app_error_notice_over_the_pane() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    app.notice = Some(Notice {
        level: NoticeLevel::Error,
        text: "keys.conf:3: unknown action \"qiut\"; press ? in the app to see every action name"
            .into(),
    });
    insta::assert_snapshot!(app_frame(&app, 80, 12).backend());
}

#[test]
fn app_too_small() {
    let app = App::new(Keymap::default(), Theme::colored());
    insta::assert_snapshot!(app_frame(&app, 30, 5).backend());
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
    insta::assert_snapshot!(app_frame(&app, 100, 10).backend());
    // Too narrow for hints and quota: the hints win.
    insta::assert_snapshot!(app_frame(&app, 50, 10).backend());
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
    insta::assert_snapshot!(browser(110, 14, &s).backend());
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
    insta::assert_snapshot!(browser(100, 16, &s).backend());
}

/// The checklist of a release with a known signature: its six platforms, then the row for
/// what refers to it, checked, the cursor on it.
#[test]
fn browser_copy_checklist_with_referrers() {
    use manifest_tui::tui::keymap::Action;
    use manifest_tui::tui::pane::Ctx;
    let mut s = fixtures::attested_browser();
    s.content.as_mut().expect("content").referrers = Some(Ok(fixtures::signature_referrers()));
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
    use manifest_tui::tui::state::browser::DeleteConfirm;
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    let v1 = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
    let d = Digest::sha256(b"list");
    s.delete = Some(DeleteConfirm::Ask(Box::new(DeletePlan {
        target: v1.at_digest(&d),
        digest: d,
        tags: vec!["v1".into(), "v1-oci".into(), "stable".into()],
        by_tag: Some("v1".into()),
    })));
    insta::assert_snapshot!(browser(110, 14, &s).backend());
}

/// The panel of what refers to the attested list (`R`): one row per referrer with its kind,
/// artifact type, digest, size and created time; the title says how they were found. At 100
/// columns the digest is short and the type cut, both whole under the rows; at 160 whole.
#[test]
fn referrers_panel_lists_each_referrer() {
    let mut s = fixtures::attested_browser();
    s.content.as_mut().expect("content").referrers = Some(Ok(fixtures::signature_referrers()));
    s.referrers_panel = Some(Default::default());
    let sig = manifest_tui::samples::attest::attested().signature.digest;
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
            manifest_tui::samples::attest::SIGNATURE_TYPE
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
        row.contains(sig.as_str()) && row.contains(manifest_tui::samples::attest::SIGNATURE_TYPE),
        "whole digest and type in the row at 160 columns: {row}"
    );
    insta::assert_snapshot!("referrers_panel_160", browser(160, 16, &s).backend());
}

/// The panel before the referrers arrive, when asking failed, and when nothing refers to the
/// manifest: it says so (and how it asked), and never blocks.
#[test]
fn referrers_panel_loading_failed_and_empty() {
    let mut s = fixtures::attested_browser();
    s.referrers_panel = Some(Default::default());
    let loading = browser(100, 12, &s).backend().to_string();
    assert!(
        loading.contains("asking what refers to sha256:ef6386dbb60b…")
            && loading.contains("by the registry's referrers API, else by the tag scheme"),
        "{loading}"
    );
    insta::assert_snapshot!("referrers_panel_loading", browser(100, 12, &s).backend());

    s.content.as_mut().expect("content").referrers = Some(Err("HTTP 500 from the registry".into()));
    let failed = browser(100, 12, &s).backend().to_string();
    assert!(
        failed.contains("could not ask what refers to it: HTTP 500 from the registry"),
        "{failed}"
    );
    assert!(failed.contains("r asks again"), "{failed}");

    let mut none = fixtures::signature_referrers();
    none.descriptors.clear();
    s.content.as_mut().expect("content").referrers = Some(Ok(none));
    let empty = browser(100, 12, &s).backend().to_string();
    assert!(empty.contains("nothing refers to it"), "{empty}");
    assert!(
        empty.contains("asked by the tag scheme (the registry has no referrers API):")
            && empty.contains(&format!(
                "nothing under the tag {}",
                manifest_tui::attest::referrers_tag(
                    &manifest_tui::samples::attest::attested().index.digest
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
    let a = manifest_tui::samples::attest::attested();
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
