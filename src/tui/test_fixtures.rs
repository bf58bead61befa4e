//! What the TUI's tests share: pane state built directly (no network) and the small
//! helpers (keys, a frame on a `TestBackend`, the requests a state sent).

use crate::image::ConfigFile;
use crate::image::ImageDetails;
use crate::media::Parsed;
use crate::media::RawManifest;
use crate::ops::Comparison;
use crate::ops::DiffRow;
use crate::ops::DiffSide;
use crate::ops::InspectEntry;
use crate::ops::Inspection;
use crate::ops::Source;
use crate::reference::Reference;
use crate::tui::keymap::Keymap;
use crate::tui::pane::Ctx;
use crate::tui::pane::View;
use crate::tui::panes::browser;
use crate::tui::panes::compare;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::browser::ContentView;
use crate::tui::state::browser::Level;
use crate::tui::state::compare::CompareState;
use crate::tui::state::Load;
use crate::tui::state::Remote;
use crate::tui::theme::Theme;
use crate::tui::worker::Command;
use crate::tui::worker::Content;
use crate::tui::worker::RequestId;
use crate::tui::worker::Slot;
use crate::tui::worker::ToWorker;
use mt_testkit::samples;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::crossterm::event::KeyEvent;
use ratatui::crossterm::event::KeyModifiers;
use ratatui::Terminal;

mod editor;
pub(crate) use editor::*;

pub(crate) const HOST: &str = "127.0.0.1:5000";

/// The sample list `samples/app:<release>` (Docker list, or OCI index) as inspected.
pub(crate) fn sample_list(release: &str, oci: bool) -> Content {
    let l = samples::list(release, oci);
    list_content(&l.reference(), &l.manifest, l.media_type)
}

/// One sample image (`samples/app-<slug>:<release>`) with its config.
pub(crate) fn sample_image(platform: &str, release: &str) -> Content {
    let img = samples::images(release, false)
        .into_iter()
        .find(|i| i.platform == samples::platform(platform))
        .expect("a sample platform");
    let reference =
        Reference::parse(&format!("{HOST}/{}", img.reference())).expect("sample reference");
    let manifest =
        RawManifest::new(img.manifest.clone(), img.media_type).expect("sample image parses");
    let config = img
        .blobs
        .first()
        .and_then(|(_, b)| serde_json::from_slice(b).ok());
    let mut descriptor = manifest.descriptor();
    descriptor.platform = Some(img.platform.clone());
    Content::new(Inspection {
        reference: reference.clone(),
        entries: vec![InspectEntry {
            reference: reference.at_digest(&manifest.digest),
            descriptor,
            manifest: Some(manifest.clone()),
            config,
        }],
        manifest,
        annotations: Default::default(),
    })
}

/// A browser showing a tag's content (breadcrumb and tags filled in).
pub(crate) fn browser_with_content(
    tag: &str,
    content: Option<Content>,
    load: Load,
) -> BrowserState {
    let mut s = BrowserState::new();
    s.registry = Some(HOST.to_string());
    s.catalog.extend(["samples/app".to_string()]);
    s.catalog_load = Load::Done;
    s.repo = Some("samples/app".to_string());
    s.tags.extend([
        "v1".to_string(),
        "v1-oci".to_string(),
        "v2".to_string(),
        "v2-oci".to_string(),
    ]);
    s.tags_load = Load::Done;
    let mut v = ContentView::new(Reference::parse(&format!("{HOST}/samples/app:{tag}")).unwrap());
    v.content = match (content, load) {
        (Some(c), _) => Remote::arrived(c),
        (None, Load::Failed(m)) => Remote::failed(m),
        (None, Load::Idle) => Remote::default(),
        (None, _) => Remote::asked(),
    };
    s.view = Some(v);
    s.level = Level::Content;
    s
}

/// The view of the manifest a browser built here shows.
pub(crate) fn view(s: &mut BrowserState) -> &mut ContentView {
    s.view.as_mut().expect("the browser shows a manifest")
}

/// `n` repositories named like real catalogs.
pub(crate) fn repo_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("team-{}/service-{i:05}", i % 17))
        .collect()
}

fn side(hexbyte: char, size: i64) -> DiffSide {
    DiffSide {
        digest: crate::digest::Digest::parse(&format!("sha256:{}", hexbyte.to_string().repeat(64)))
            .expect("fixture digest"),
        size,
        media_type: crate::media::DOCKER_MANIFEST.to_string(),
    }
}

/// A pair sample's image as the comparison reads it (manifest and config, parsed).
pub(crate) fn pair_details(tag: &str, platform: usize) -> (DiffSide, ImageDetails) {
    let l = samples::pairs::lists()
        .into_iter()
        .find(|l| l.tag == tag)
        .expect("a pairs tag");
    image_details(&l.children[platform])
}

/// A sample image as the comparison reads it: its side of a row and its details.
pub(crate) fn image_details(img: &samples::SampleImage) -> (DiffSide, ImageDetails) {
    let manifest = RawManifest::new(img.manifest.clone(), img.media_type).expect("manifest");
    let Ok(Parsed::Image(image)) = manifest.parse() else {
        panic!("a sample image")
    };
    let config_bytes = img.blobs[0].1.clone();
    let side = DiffSide {
        digest: img.digest.clone(),
        size: img.manifest.len() as i64,
        media_type: img.media_type.to_string(),
    };
    let details = ImageDetails {
        manifest,
        image: *image,
        config: ConfigFile::parse(&config_bytes).expect("config"),
        config_bytes,
    };
    (side, details)
}

/// The `v1` pair image of `platform` (an index into the pairs' platforms) recompressed and
/// relabelled, as an OCI image: each layer another gzip blob of the same tar (the header's
/// OS byte set to Unix; the configs' diff ids are the same), and another version label.
pub(crate) fn recompressed_relabelled(platform: usize) -> (DiffSide, ImageDetails) {
    let v1 = samples::pairs::lists()
        .into_iter()
        .find(|l| l.tag == "v1")
        .expect("the v1 pair list");
    let img = &v1.children[platform];
    let mut cfg: serde_json::Value = serde_json::from_slice(&img.blobs[0].1).expect("config");
    cfg["config"]["Labels"][samples::pairs::VERSION_LABEL] = serde_json::json!("1.0.1");
    let layers = img.blobs[1..]
        .iter()
        .map(|(_, gz)| {
            let mut gz = gz.clone();
            gz[9] = 3;
            gz
        })
        .collect();
    let mut b = samples::image_of(serde_json::to_vec(&cfg).expect("config"), layers, true);
    b.repo = samples::pairs::REPO.to_string();
    b.platform = img.platform.clone();
    image_details(&b)
}

/// A comparison of one platform: the `v1` pair image against [`recompressed_relabelled`].
pub(crate) fn comparison_recompressed_relabelled() -> Comparison {
    let (a, b) = (pair_details("v1", 0), recompressed_relabelled(0));
    let row = DiffRow::compare(
        samples::platform(samples::pairs::PLATFORMS[0]),
        Some((a.0, Ok(&a.1))),
        Some((b.0, Ok(&b.1))),
        Default::default(),
    );
    Comparison {
        a_label: format!("{HOST}/samples/pairs:v1"),
        b_label: format!("{HOST}/samples/pairs:repacked"),
        a_digest: None,
        b_digest: None,
        rows: vec![row],
        attestations: Default::default(),
    }
}

/// A row classified from two pair samples (either may be missing), as the engine makes it.
fn pair_row(platform: &str, a: Option<(&str, usize)>, b: Option<(&str, usize)>) -> DiffRow {
    let a = a.map(|(t, i)| pair_details(t, i));
    let b = b.map(|(t, i)| pair_details(t, i));
    DiffRow::compare(
        samples::platform(platform),
        a.as_ref().map(|(s, d)| (s.clone(), Ok(d))),
        b.as_ref().map(|(s, d)| (s.clone(), Ok(d))),
        Default::default(),
    )
}

/// A comparison with one row of each kind, classified from real (pair sample) images, plus
/// a row whose details could not be read.
pub(crate) fn comparison_all_kinds() -> Comparison {
    let blob_unknown = || Err("fetching the image config: blob unknown".to_string());
    let unread = DiffRow::compare(
        samples::platform("linux/s390x"),
        Some((side('2', 100), blob_unknown())),
        Some((side('3', 100), blob_unknown())),
        Default::default(),
    );
    Comparison {
        a_label: format!("{HOST}/samples/pairs:v1"),
        b_label: format!("{HOST}/samples/pairs:mixed"),
        a_digest: crate::digest::Digest::parse(&format!("sha256:{}", "a".repeat(64))).ok(),
        b_digest: crate::digest::Digest::parse(&format!("sha256:{}", "b".repeat(64))).ok(),
        rows: vec![
            pair_row("linux/amd64", Some(("v1", 0)), Some(("v1", 0))),
            pair_row("linux/arm/v7", Some(("v1", 2)), Some(("v1-oci", 2))),
            pair_row("linux/arm64/v8", Some(("v1", 1)), Some(("newbase", 1))),
            pair_row("linux/ppc64le", Some(("v1", 0)), None),
            pair_row("linux/riscv64", None, Some(("platforms", 2))),
            unread,
            pair_row("windows/amd64", Some(("v1", 0)), Some(("label", 0))),
        ],
        attestations: Default::default(),
    }
}

/// One image of `samples/webapp:v1` with its config file, as the worker fetches it.
pub(crate) fn webapp_details(i: usize) -> crate::image::ImageDetails {
    let img = &samples::details::webapp().images[i];
    let manifest = RawManifest::new(img.manifest.clone(), img.media_type).expect("manifest");
    let image = match manifest.parse() {
        Ok(Parsed::Image(m)) => *m,
        _ => panic!("webapp images are images"),
    };
    let config_bytes = img.blobs[0].1.clone();
    crate::image::ImageDetails {
        config: crate::image::ConfigFile::parse(&config_bytes).expect("config"),
        manifest,
        image,
        config_bytes,
    }
}

/// A list or index (`bytes`) as inspected at `reference` (no child fetched).
pub(crate) fn list_content(reference: &str, bytes: &[u8], media_type: &str) -> Content {
    let reference = Reference::parse(&format!("{HOST}/{reference}")).expect("reference");
    let manifest = RawManifest::new(bytes.to_vec(), media_type).expect("list parses");
    let entries = match manifest.parse() {
        Ok(Parsed::Index(idx)) => idx
            .manifests
            .into_iter()
            .map(|d| InspectEntry {
                reference: reference.at_digest(&d.digest),
                descriptor: d,
                manifest: None,
                config: None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Content::new(Inspection {
        reference,
        manifest,
        entries,
        annotations: Default::default(),
    })
}

/// An image of `repo` (by digest) as the worker inspects it, its config file there.
pub(crate) fn image_content(repo: &str, d: crate::image::ImageDetails) -> (Reference, Content) {
    let reference = Reference::parse(&format!("{HOST}/{repo}@{}", d.manifest.digest)).expect("ref");
    let mut descriptor = d.manifest.descriptor();
    descriptor.platform = Some(d.config.platform());
    let mut c = Content::new(Inspection {
        reference: reference.clone(),
        entries: vec![InspectEntry {
            reference: reference.clone(),
            descriptor,
            manifest: Some(d.manifest.clone()),
            config: serde_json::from_slice(&d.config_bytes).ok(),
        }],
        manifest: d.manifest.clone(),
        annotations: Default::default(),
    });
    c.inside = Some(Box::new(d));
    (reference, c)
}

/// The index `samples/webapp:v1` as inspected (its details not fetched yet).
pub(crate) fn webapp_list() -> Content {
    let w = samples::details::webapp();
    list_content(&w.reference(), &w.index, crate::media::OCI_INDEX)
}

/// A browser on `samples/webapp:v1`.
pub(crate) fn browser_on_webapp(content: Content) -> BrowserState {
    let mut s = browser_with_content("v1", Some(content), Load::Done);
    s.catalog.extend(["samples/webapp".to_string()]);
    s.repo = Some("samples/webapp".to_string());
    view(&mut s).shown = Reference::parse(&format!("{HOST}/samples/webapp:v1")).unwrap();
    s
}

/// A browser on one image of `samples/webapp` (by digest), its config file there.
pub(crate) fn browser_on_webapp_image(i: usize) -> BrowserState {
    let (reference, c) = image_content("samples/webapp", webapp_details(i));
    let mut s = browser_on_webapp(c);
    view(&mut s).shown = reference;
    s
}

/// Details of a manifest with its config (the first blob), as the worker fetches them.
pub(crate) fn details_of(
    manifest: &[u8],
    media_type: &str,
    config: &[u8],
) -> crate::image::ImageDetails {
    let manifest = RawManifest::new(manifest.to_vec(), media_type).expect("manifest");
    let image = match manifest.parse() {
        Ok(Parsed::Image(m)) => *m,
        _ => panic!("an image manifest"),
    };
    crate::image::ImageDetails {
        config: crate::image::ConfigFile::parse(config).expect("config"),
        manifest,
        image,
        config_bytes: config.to_vec(),
    }
}

/// The attested release `samples/attested:v1` (six platforms, an attestation each) as
/// inspected, with every entry's details as the worker fetches them.
pub(crate) fn attested_browser() -> BrowserState {
    let a = samples::attest::attested();
    let content = list_content(
        "samples/attested:v1",
        &a.index.manifest,
        crate::media::OCI_INDEX,
    );
    let reference = content.inspection.reference.clone();
    let mut s = browser_with_content("v1", Some(content), Load::Done);
    s.repo = Some("samples/attested".to_string());
    view(&mut s).shown = reference;
    let mut details: Vec<crate::tui::worker::EntryDetails> = a
        .images
        .iter()
        .map(|i| {
            Ok(Box::new(details_of(
                &i.manifest,
                i.media_type,
                &i.blobs[0].1,
            )))
        })
        .collect();
    details.extend(a.attestations.iter().map(|p| {
        Ok(Box::new(details_of(
            &p.manifest,
            p.media_type,
            &p.blobs[0].1,
        )))
    }));
    view(&mut s).details = Remote::arrived(details);
    s
}

/// The first platform of `samples/attested:v1` opened: its image, and the statements of its
/// attestation as the worker reads them.
pub(crate) fn attested_image_browser() -> BrowserState {
    let a = samples::attest::attested();
    let img = &a.images[0];
    let d = details_of(&img.manifest, img.media_type, &img.blobs[0].1);
    let att = details_of(
        &a.attestations[0].manifest,
        a.attestations[0].media_type,
        &a.attestations[0].blobs[0].1,
    );
    let statements = att
        .layers()
        .iter()
        .map(|l| {
            let bytes = &a.attestations[0]
                .blobs
                .iter()
                .find(|(dg, _)| *dg == l.digest)
                .expect("statement blob")
                .1;
            crate::ops::StatementLayer {
                layer: l.clone(),
                predicate_type: crate::attest::layer_predicate(l).map(String::from),
                statement: crate::attest::parse_statement(bytes),
            }
        })
        .collect();
    let (reference, c) = image_content("samples/attested", d);
    let mut s = browser_with_content("v1", Some(c), Load::Done);
    s.repo = Some("samples/attested".to_string());
    view(&mut s).shown = reference;
    view(&mut s).statements = Remote::arrived(statements);
    s
}

/// What the attested sample's tag scheme lists for its index: the signature.
pub(crate) fn signature_referrers() -> crate::registry::Referrers {
    let a = samples::attest::attested();
    let mut d =
        crate::media::RawManifest::new(a.signature.manifest.clone(), a.signature.media_type)
            .expect("signature")
            .descriptor();
    d.artifact_type = Some(samples::attest::SIGNATURE_TYPE.into());
    d.annotations.insert(
        "org.opencontainers.image.created".into(),
        "2026-11-30T10:05:00Z".into(),
    );
    crate::registry::Referrers {
        via: crate::registry::ReferrersVia::TagScheme,
        descriptors: vec![d],
        index: None,
    }
}

/// The attested sample's signature opened from the referrers panel: an artifact (the OCI
/// empty config, one payload layer, the index as its subject) in the image view.
pub(crate) fn signature_image_browser() -> BrowserState {
    let a = samples::attest::attested();
    let sig = &a.signature;
    let d = details_of(&sig.manifest, sig.media_type, &sig.blobs[0].1);
    let (reference, c) = image_content("samples/attested", d);
    let mut s = browser_with_content("v1", Some(c), Load::Done);
    s.repo = Some("samples/attested".to_string());
    view(&mut s).shown = reference;
    s
}

/// The text of each row of the last frame drawn on `term` with a cell in reverse video
/// (the selected row of a list), the top row (the tab bar, whose active tab is reversed)
/// left out.
pub(crate) fn reversed_rows(
    term: &ratatui::Terminal<ratatui::backend::TestBackend>,
) -> Vec<String> {
    let b = term.backend().buffer();
    let area = b.area;
    (area.top() + 1..area.bottom())
        .filter(|&y| {
            (area.left()..area.right()).any(|x| {
                b[(x, y)]
                    .modifier
                    .contains(ratatui::style::Modifier::REVERSED)
            })
        })
        .map(|y| {
            (area.left()..area.right())
                .map(|x| b[(x, y)].symbol())
                .collect()
        })
        .collect()
}

pub(crate) fn press(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

pub(crate) fn ch(c: char) -> KeyEvent {
    press(KeyCode::Char(c))
}

pub(crate) fn runs(outbox: &[ToWorker]) -> Vec<(RequestId, Slot, Command)> {
    outbox
        .iter()
        .filter_map(|m| match m {
            ToWorker::Run { id, slot, command } => Some((*id, *slot, command.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn last_id(ctx: &Ctx, slot: Slot) -> RequestId {
    runs(&ctx.outbox)
        .into_iter()
        .rev()
        .find(|(_, s, _)| *s == slot)
        .map(|(id, _, _)| id)
        .expect("a request in that slot")
}

pub(crate) fn render(
    w: u16,
    h: u16,
    f: impl FnOnce(&mut ratatui::Frame, &View),
) -> Terminal<TestBackend> {
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

pub(crate) fn browser(w: u16, h: u16, s: &BrowserState) -> Terminal<TestBackend> {
    render(w, h, |f, v| browser::draw(f, f.area(), s, v))
}

pub(crate) fn compare_pane(w: u16, h: u16, s: &CompareState) -> Terminal<TestBackend> {
    render(w, h, |f, v| compare::draw(f, f.area(), s, v))
}

pub(crate) fn remote(r: &str) -> Source {
    Source::Remote(Reference::parse(&format!("{HOST}/{r}")).expect("ref"))
}

/// The frame's text, one quoted line per row.
pub(crate) fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// The row of `screen` containing `needle` (panics with the screen otherwise).
pub(crate) fn row<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}:\n{screen}"))
}

pub(crate) fn catalog_state() -> BrowserState {
    let mut s = BrowserState::new();
    s.level = Level::Catalog;
    s.registry = Some(HOST.into());
    s
}

/// A sync of `samples/app` to `127.0.0.1:6000/mirror` as planned: v1 new, v2 changed (the
/// comparison of every kind), v1-oci up to date, v2-oci refused.
pub(crate) fn sync_plan_job() -> crate::tui::pane::SyncJob {
    use crate::ops::{ImageState, PlannedImage, SyncPlan, SyncSource};
    let src = |t: &str| Reference::parse(&format!("{HOST}/samples/app:{t}")).expect("ref");
    let dst = |t: &str| Reference::parse(&format!("127.0.0.1:6000/mirror/app:{t}")).expect("ref");
    let mut new = PlannedImage::new(src("v1"), dst("v1"), ImageState::New);
    new.bytes = Some(3_500_000);
    let mut changed = PlannedImage::new(src("v2"), dst("v2"), ImageState::Changed);
    changed.comparison = Some(comparison_all_kinds());
    changed.bytes = Some(1_200);
    let same = PlannedImage::new(src("v1-oci"), dst("v1-oci"), ImageState::UpToDate);
    let failed = PlannedImage::new(
        src("v2-oci"),
        dst("v2-oci"),
        ImageState::Failed("denied: requested access to the resource is denied".into()),
    );
    let repo = crate::registry::Repo {
        domain: HOST.to_string(),
        path: "samples/app".to_string(),
    };
    crate::tui::pane::SyncJob {
        source: SyncSource::Repository(repo.reference()),
        dest: "127.0.0.1:6000/mirror".to_string(),
        plan: std::sync::Arc::new(SyncPlan {
            images: vec![new, changed, same, failed],
            problems: Vec::new(),
            sources: 1,
        }),
    }
}
