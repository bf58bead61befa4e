//! Snapshots of the browser pane at each level on a fixed-size `TestBackend` (text only).

use crate::reference::Reference;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::browser::Level;
use crate::tui::state::browser::RegistryChoice;
use crate::tui::state::Load;
use crate::tui::test_fixtures::{self as fixtures, browser, catalog_state, row, text, HOST};
use crate::tui::worker::RegistrySource;

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
        crate::tui::worker::Slot::Catalog,
        crate::tui::worker::Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: Vec::new(),
        },
        &crate::tui::pane::Ctx::default(),
    );
    let _: &mut crate::tui::pane::Ctx = &mut ctx;
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
        crate::tui::worker::Slot::Catalog,
        crate::tui::worker::Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: vec!["library/alpine".into(), "team/app-server".into()],
        },
        &crate::tui::pane::Ctx::default(),
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
    s.action(crate::tui::keymap::Action::Sort, &mut ctx);
    s.action(crate::tui::keymap::Action::Sort, &mut ctx);
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

/// A list's table before its details arrive (spinners), then with them: per platform the
/// image's size, layer count and created time; a platform whose details failed says why.
#[test]
fn content_list_details_loading_then_filled_with_a_failure() {
    let mut s = fixtures::browser_on_webapp(fixtures::webapp_list());
    fixtures::view(&mut s).details = crate::tui::state::Remote::asked();
    let t = browser(150, 9, &s);
    assert!(
        text(&t).contains("loading what is inside each platform…"),
        "{}",
        text(&t)
    );
    insta::assert_snapshot!("webapp_details_loading", t.backend());
    fixtures::view(&mut s).details = crate::tui::state::Remote::arrived(vec![
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
    let size = |i: usize| crate::ops::human_size(fixtures::webapp_details(i).size());
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
            crate::ops::human_size(total)
        )),
        "{screen}"
    );
    insta::assert_snapshot!("webapp_details_filled", t.backend());
    insta::assert_snapshot!("webapp_details_narrow", browser(90, 9, &s).backend());
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
    use crate::ops::human_size;
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

/// Tags of the referrers tag scheme are marked as such in the tag list.
#[test]
fn tags_mark_referrers_tag_scheme_tags() {
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    s.repo = Some("samples/attested".into());
    s.tags.clear();
    let index = mt_testkit::samples::attest::attested().index.digest;
    s.tags
        .extend([crate::attest::referrers_tag(&index), "v1".to_string()]);
    s.tags_load = Load::Done;
    let t = browser(110, 7, &s);
    let screen = text(&t);
    assert!(
        row(&screen, &crate::attest::referrers_tag(&index)).contains("referrers (tag scheme)"),
        "{screen}"
    );
    assert!(!row(&screen, " v1 ").contains("referrers"), "{screen}");
    insta::assert_snapshot!("tags_with_a_referrers_tag", t.backend());
}

/// The copy destination prompt over a list, with the error of a refused destination.
#[test]
fn browser_copy_prompt() {
    use crate::tui::keymap::Action;
    use crate::tui::pane::Ctx;
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
    use crate::tui::keymap::Action;
    use crate::tui::pane::Ctx;
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
    use crate::tui::keymap::Action;
    use crate::tui::pane::Ctx;
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
    use crate::digest::Digest;
    use crate::ops::DeletePlan;
    use crate::tui::state::browser::{DeleteConfirm, Overlay};
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
