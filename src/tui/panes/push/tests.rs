//! Snapshots of the push view: progress, failures, the rows' window, copies.

use crate::digest::Digest;
use crate::ops::EntryStage;
use crate::ops::Progress;
use crate::ops::PushReport;
use crate::ops::PushedEntry;
use crate::tui::keymap::Action;
use crate::tui::pane::AppEvent;
use crate::tui::pane::Ctx;
use crate::tui::panes::push;
use crate::tui::state::push::PushState;
use crate::tui::state::push::PushStatus;
use crate::tui::test_fixtures::{copying, pushing, pv, render, six};
use crate::tui::worker::Reply;

#[test]
fn push_in_progress() {
    let p = pushing();
    assert!(p.busy());
    insta::assert_snapshot!(pv(&p).backend());
}

#[test]
fn push_with_a_failed_entry() {
    let mut p = pushing();
    p.progress(Progress::Entry {
        index: 1,
        stage: EntryStage::Failed {
            reason: "blob sha256:abc: connection refused".into(),
        },
    });
    let mut ctx = Ctx::default();
    p.reply(
        Reply::Failed("pushing entry linux/arm/v7 failed while copying blobs: connection refused. The local list is unchanged; run push again to finish".into()),
        &mut ctx,
    );
    assert!(matches!(p.status, PushStatus::Failed(_)));
    insta::assert_snapshot!(pv(&p).backend());
}

/// More entries than rows: the last row says how many are out of sight and that one of them
/// failed; moving the selection scrolls the window to it.
#[test]
fn push_rows_that_do_not_fit_are_counted_and_scroll() {
    let mut p = pushing();
    p.progress(Progress::Entry {
        index: 4,
        stage: EntryStage::Failed {
            reason: "manifest invalid".into(),
        },
    });
    let short = |p: &PushState| render(100, 10, |f, v| push::draw(f, f.area(), p, v));
    let top = short(&p);
    insta::assert_snapshot!("push_rows_window_at_the_top", top.backend());
    let text = format!("{:?}", top.backend());
    assert!(text.contains("3 more below (1 failed)"), "{text}");
    let mut ctx = Ctx::default();
    for _ in 0..5 {
        assert!(p.action(Action::Down, &mut ctx));
    }
    let bottom = short(&p);
    insta::assert_snapshot!("push_rows_window_at_the_bottom", bottom.backend());
    let text = format!("{:?}", bottom.backend());
    assert!(text.contains("3 more above"), "{text}");
    assert!(
        text.contains("windows/amd64"),
        "the selected last row is shown: {text}"
    );
}

fn report() -> PushReport {
    let d = six();
    PushReport {
        target: d.list.clone(),
        digest: Digest::sha256(b"the list"),
        entries: d
            .entries
            .iter()
            .map(|e| PushedEntry {
                reference: d.list.at_digest(e.digest()),
                source: e.reference.clone(),
                digest: e.digest().clone(),
                in_place: false,
            })
            .collect(),
        unchanged: false,
        purged: false,
    }
}

#[test]
fn push_done_and_the_digest_copies() {
    let mut p = pushing();
    let mut ctx = Ctx::default();
    p.reply(Reply::Pushed(Box::new(report())), &mut ctx);
    assert!(matches!(p.status, PushStatus::Done(_)));
    assert!(p.rows.iter().all(|r| r.done()));
    assert!(p.action(Action::CopyDigest, &mut ctx));
    assert!(ctx
        .events
        .contains(&AppEvent::Copy(Digest::sha256(b"the list").to_string())));
    insta::assert_snapshot!(pv(&p).backend());
}

/// The push view following a filtered copy that finished: the target, its (new) digest and
/// why it differs from the source's.
#[test]
fn push_view_after_a_filtered_copy() {
    use crate::digest::Digest;
    use crate::ops::{CopiedEntry, CopyReport};
    use crate::platform::Platform;
    let (mut p, mut ctx, src, dst) = copying(
        "127.0.0.1:5000/samples/app:v1",
        "127.0.0.1:6000/team/app:v1",
        vec![Platform::parse("linux/amd64").unwrap()],
        false,
    );
    let entry = |p: &str, n: &[u8]| CopiedEntry {
        platform: Platform::parse(p).unwrap(),
        digest: Digest::sha256(n),
        media_type: crate::media::OCI_MANIFEST.into(),
        describes: None,
    };
    let report = CopyReport {
        source: src,
        target: dst,
        source_digest: Digest::sha256(b"src"),
        digest: Digest::sha256(b"new"),
        entries: vec![entry("linux/amd64", b"amd64"), entry("linux/arm64", b"arm64")],
        changed: Some("a new OCI index holding 2 of the source's 6 entries (linux/amd64, linux/arm64), so its digest differs".into()),
        unchanged: false,
        referrers: Vec::new(),
        referrer_notes: Vec::new(),
        tag_scheme: Vec::new(),
    };
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    p.progress(Progress::Entry {
        index: 1,
        stage: EntryStage::Copying {
            done: 3 * 1024 * 1024,
            total: 3 * 1024 * 1024,
        },
    });
    p.reply(Reply::Copied(Box::new(report.clone())), &mut ctx);
    let t = pv(&p);
    let screen = t.backend().to_string();
    assert!(
        screen.contains("✓ copied to 127.0.0.1:6000/team/app:v1")
            && screen.contains(&format!("digest {}  (y copies)", report.digest)),
        "the new digest, whole: {screen}"
    );
    assert!(
        screen.contains("a new OCI index holding 2 of the source's 6 entries"),
        "why the digest differs: {screen}"
    );
    for e in &report.entries {
        let label = e.platform.display();
        let row = screen
            .lines()
            .find(|l| l.contains(&format!("{label} pushed")))
            .unwrap_or_else(|| panic!("no row for {label}: {screen}"));
        assert!(row.contains(&e.digest.short()), "{row}");
    }
    insta::assert_snapshot!(t.backend());
}

/// The push view after `copy` with referrers: the release's row, one row per referrer
/// (the kind and what it refers to), and the referrers tag written on a target without the
/// referrers API.
#[test]
fn push_view_after_a_copy_with_referrers() {
    use crate::ops::{CopiedReferrer, CopyReport};
    let a = mt_testkit::samples::attest::attested();
    let (mut p, mut ctx, src, dst) = copying(
        "127.0.0.1:5000/samples/attested:v1",
        "127.0.0.1:6000/promoted/attested:v1",
        Vec::new(),
        true,
    );
    let mut sig =
        crate::media::RawManifest::new(a.signature.manifest.clone(), a.signature.media_type)
            .unwrap()
            .descriptor();
    sig.artifact_type = Some("application/vnd.dev.cosign.artifact.sig.v1+json".into());
    let report = CopyReport {
        source: src,
        target: dst,
        source_digest: a.index.digest.clone(),
        digest: a.index.digest.clone(),
        entries: Vec::new(),
        changed: None,
        unchanged: false,
        referrers: vec![CopiedReferrer {
            subject: a.index.digest.clone(),
            descriptor: sig,
            depth: 1,
            present: false,
        }],
        referrer_notes: Vec::new(),
        tag_scheme: vec![a.index.digest.clone()],
    };
    p.reply(Reply::CopyStarted(Box::new(report.clone())), &mut ctx);
    assert_eq!(p.rows.len(), 2, "the image and its signature");
    assert_eq!(
        p.rows[1].platform,
        format!("signature of {}", a.index.digest.short())
    );
    p.reply(Reply::Copied(Box::new(report)), &mut ctx);
    let screen = pv(&p).backend().to_string();
    assert!(
        screen.contains(&format!(
            "referrers of {} listed under the tag",
            a.index.digest.short()
        )) && screen.contains(&crate::attest::referrers_tag(&a.index.digest)),
        "{screen}"
    );
    insta::assert_snapshot!(pv(&p).backend());
}
