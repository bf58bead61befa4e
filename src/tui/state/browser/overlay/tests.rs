//! The browser's overlays: the copy prompt and checklist, delete's question, the retag prompt.

use crate::reference::Reference;
use crate::tui::keymap::Action;
use crate::tui::keymap::Context;
use crate::tui::pane::AppEvent;
use crate::tui::pane::Ctx;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::browser::Level;
use crate::tui::state::Load;
use crate::tui::test_fixtures::{self as fixtures, ch, last_id, press, runs, HOST};
use crate::tui::worker::Command;
use crate::tui::worker::Reply;
use crate::tui::worker::Slot;
use crate::tui::worker::ToWorker;
use ratatui::crossterm::event::KeyCode;

fn type_into(s: &mut BrowserState, text: &str) {
    for c in text.chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
}

fn copy_jobs(ctx: &Ctx) -> Vec<crate::ops::CopyJob> {
    ctx.events
        .iter()
        .filter_map(|e| match e {
            AppEvent::StartTransfer(j) => match &**j {
                crate::tui::pane::Transfer::Copy(j) => Some(j.clone()),
                crate::tui::pane::Transfer::Push { .. } | crate::tui::pane::Transfer::Sync(_) => {
                    None
                }
            },
            _ => None,
        })
        .collect()
}

/// `c` on a list: the destination prompt completes a registry seen (Tab), refuses a digest,
/// then the checklist holds every platform checked; unchecking one makes a filtered copy,
/// leaving all checked makes the exact one (no platforms).
#[test]
fn browser_copy_prompt_completes_and_the_checklist_picks_platforms() {
    use crate::tui::worker::RegistrySource;
    let mut s =
        fixtures::browser_with_content("v1", Some(fixtures::sample_list("v1", false)), Load::Done);
    s.reply(
        Slot::Registries,
        Reply::Registries(vec![("127.0.0.1:6000".into(), RegistrySource::History)]),
        &Ctx::default(),
    );
    let mut ctx = Ctx::default();
    assert!(s.action(Action::CopyImage, &mut ctx));
    assert!(s.field_focused(), "the destination prompt has focus");
    type_into(&mut s, "127.0.0.1:6");
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(
        s.prompt().unwrap().field.value(),
        "127.0.0.1:6000/",
        "Tab completes the registry seen"
    );
    type_into(
        &mut s,
        "team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    );
    s.action(Action::Submit, &mut ctx);
    let err = s.prompt().and_then(|p| p.error.clone());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("copy to a tag")),
        "{err:?}"
    );
    for _ in 0..72 {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    }
    type_into(&mut s, ":rc-1");
    assert_eq!(
        s.prompt().unwrap().field.value(),
        "127.0.0.1:6000/team/app:rc-1"
    );
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().is_none());
    let c = s.checklist().expect("the platform checklist");
    assert_eq!(c.platforms.len(), 6);
    assert!(c.platforms.iter().all(|p| p.1), "all checked by default");
    assert_eq!(s.contexts()[0], Context::Checklist);
    // Uncheck the second platform, then start.
    s.action(Action::Down, &mut ctx);
    s.action(Action::Toggle, &mut ctx);
    let second = s.checklist().unwrap().platforms[1].0.clone();
    s.action(Action::Submit, &mut ctx);
    assert!(s.checklist().is_none());
    let jobs = copy_jobs(&ctx);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].src.to_string(), format!("{HOST}/samples/app:v1"));
    assert_eq!(jobs[0].dst.to_string(), "127.0.0.1:6000/team/app:rc-1");
    assert_eq!(jobs[0].options.platforms.len(), 5);
    assert!(!jobs[0].options.platforms.contains(&second));

    // Every platform checked: the exact copy.
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    type_into(&mut s, "127.0.0.1:6000/team/app");
    s.action(Action::Submit, &mut ctx);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0].options.platforms.is_empty(),
        "{:?}",
        jobs[0].options.platforms
    );
    // Nothing checked is refused.
    let mut ctx = Ctx::default();
    s.action(Action::CopyImage, &mut ctx);
    type_into(&mut s, "127.0.0.1:6000/team/app");
    s.action(Action::Submit, &mut ctx);
    for _ in 0..6 {
        s.action(Action::Toggle, &mut ctx);
        s.action(Action::Down, &mut ctx);
    }
    s.action(Action::Submit, &mut ctx);
    assert!(copy_jobs(&ctx).is_empty());
    assert!(s.checklist().unwrap().error.is_some());
    s.action(Action::Cancel, &mut ctx);
    assert!(s.checklist().is_none());
}

/// A release with a known signature: the checklist's last row (what refers to it) starts
/// checked and goes into the job; unchecked, the job copies without referrers. A single
/// image with a referrer gets the row alone; one without copies at once, as before.
#[test]
fn browser_copy_checklist_brings_referrers_when_asked() {
    let start = |s: &mut BrowserState, ctx: &mut Ctx| {
        s.action(Action::CopyImage, ctx);
        type_into(s, "127.0.0.1:6000/promoted/attested:v1");
        s.action(Action::Submit, ctx);
    };
    let mut s = fixtures::attested_browser();
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = Some(Ok(fixtures::signature_referrers()));
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    let c = s.checklist().expect("the checklist");
    assert_eq!(c.platforms.len(), 6);
    assert!(c.referrers, "a known referrer checks the row");
    assert_eq!(c.known_referrers, vec!["signature".to_string()]);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert!(
        jobs[0].options.referrers && jobs[0].options.platforms.is_empty(),
        "{jobs:?}"
    );

    // Down past the six platforms to the referrers row, Space: unchecked.
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    for _ in 0..6 {
        s.action(Action::Down, &mut ctx);
    }
    s.action(Action::Toggle, &mut ctx);
    let c = s.checklist().unwrap();
    assert!(!c.referrers && c.platforms.iter().all(|p| p.1));
    s.action(Action::Submit, &mut ctx);
    assert!(!copy_jobs(&ctx)[0].options.referrers);

    // A single image: no platforms to pick, the referrers row only.
    let mut s = fixtures::browser_with_content(
        "v1",
        Some(fixtures::sample_image("linux/amd64", "v1")),
        Load::Done,
    );
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = Some(Ok(fixtures::signature_referrers()));
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    let c = s.checklist().expect("the referrers row");
    assert!(c.platforms.is_empty() && c.referrers);
    s.action(Action::Toggle, &mut ctx);
    s.action(Action::Submit, &mut ctx);
    let jobs = copy_jobs(&ctx);
    assert!(
        !jobs[0].options.referrers && jobs[0].options.platforms.is_empty(),
        "{jobs:?}"
    );
    // Without a referrer seen: at once.
    fixtures::view(&mut s)
        .content
        .value_mut()
        .unwrap()
        .referrers = None;
    let mut ctx = Ctx::default();
    start(&mut s, &mut ctx);
    assert!(s.checklist().is_none());
    assert_eq!(copy_jobs(&ctx).len(), 1);
}

/// The browser on samples/app's tags, v1 selected.
fn browser_on_tags() -> BrowserState {
    let mut s = fixtures::browser_with_content("v1", None, Load::Idle);
    s.level = Level::Tags;
    s
}

/// `D` on a tag asks the worker what goes, shows the question (the Confirm keys), Esc keeps
/// it, y deletes by the plan; the reply reloads the tags shown.
#[test]
fn browser_delete_asks_first_then_deletes_and_the_tags_reload() {
    use crate::digest::Digest;
    use crate::ops::DeletePlan;
    use crate::registry::Repo;
    use crate::tui::state::browser::{DeleteConfirm, Overlay};
    let mut s = browser_on_tags();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Delete, &mut ctx));
    let r = runs(&ctx.outbox);
    let v1 = Reference::parse(&format!("{HOST}/samples/app:v1")).unwrap();
    assert!(
        matches!(&r[..], [(_, Slot::Delete, Command::DeletePlan { reference })] if *reference == v1),
        "{r:?}"
    );
    let d = Digest::sha256(b"list");
    let plan = DeletePlan {
        target: v1.at_digest(&d),
        digest: d,
        tags: vec!["v1".into(), "v1-oci".into()],
        by_tag: Some("v1".into()),
    };
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert_eq!(s.contexts(), vec![Context::Confirm]);
    s.action(Action::Cancel, &mut ctx);
    assert!(s.delete().is_none(), "Esc keeps it");
    s.overlay = Some(Overlay::Delete(DeleteConfirm::Ask(Box::new(plan.clone()))));
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Submit, &mut ctx));
    let r = runs(&ctx.outbox);
    assert!(
        matches!(&r[..], [(_, Slot::Delete, Command::Delete { plan: p })] if *p == plan),
        "{r:?}"
    );
    s.change_reply(Slot::Delete, Reply::Deleted(Box::new(plan)), &mut ctx);
    assert!(s.delete().is_none());
    let repo = Repo::of(&v1);
    assert!(ctx.events.contains(&AppEvent::TagsChanged(repo.clone())));
    let mut ctx = Ctx::default();
    s.tags_changed(&repo, &mut ctx);
    assert!(
        matches!(
            &runs(&ctx.outbox)[..],
            [(_, Slot::Tags, Command::Tags { .. })]
        ),
        "the tags are read again"
    );
    assert_eq!(s.level, Level::Tags);
}

/// A delete holds the keys from the moment it is asked for: the referrers panel cannot open
/// under it (it once could, and then the status bar showed the question's keys while the
/// panel took them). Esc while the plan is read cancels that request, and a plan arriving
/// after that opens nothing; Esc while deleting only closes the window, and the end still
/// reloads the tags.
#[test]
fn a_delete_holds_the_keys_from_its_plan_to_its_end() {
    use crate::digest::Digest;
    use crate::ops::DeletePlan;
    use crate::registry::Repo;
    use crate::tui::state::browser::{DeleteConfirm, Focus};
    let mut s = fixtures::browser_on_webapp(fixtures::webapp_list());
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Delete, &mut ctx));
    assert_eq!(s.focus(), Focus::Overlay);
    assert_eq!(s.contexts(), vec![Context::Confirm]);
    assert!(
        !s.action(Action::Referrers, &mut ctx),
        "no panel under a delete"
    );
    assert!(s.referrers_panel().is_none());
    assert!(matches!(s.delete(), Some(DeleteConfirm::Planning(_))));
    let plan_id = last_id(&ctx, Slot::Delete);
    assert!(s.action(Action::Cancel, &mut ctx));
    assert!(s.delete().is_none());
    assert!(ctx
        .outbox
        .iter()
        .any(|m| matches!(m, ToWorker::Cancel(id) if *id == plan_id)));
    let shown = s.shown().cloned().expect("shown");
    let d = Digest::sha256(b"list");
    let plan = DeletePlan {
        target: shown.at_digest(&d),
        digest: d,
        tags: vec!["v1".into()],
        by_tag: Some("v1".into()),
    };
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert!(s.delete().is_none(), "a cancelled plan opens nothing");
    assert_eq!(s.focus(), Focus::Level);

    assert!(s.action(Action::Delete, &mut ctx));
    s.change_reply(
        Slot::Delete,
        Reply::DeletePlan(Box::new(plan.clone())),
        &mut ctx,
    );
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(matches!(s.delete(), Some(DeleteConfirm::Deleting(_))));
    assert!(s.busy());
    assert!(s.action(Action::Cancel, &mut ctx), "closes the window");
    assert!(s.delete().is_none());
    let mut ctx = Ctx::default();
    s.change_reply(Slot::Delete, Reply::Deleted(Box::new(plan)), &mut ctx);
    assert!(ctx
        .events
        .contains(&AppEvent::TagsChanged(Repo::of(&shown))));
    assert_eq!(s.level, Level::Tags, "what was shown is gone");
}

/// `t`: new tags in a prompt; a bad tag is refused in place, good ones go to the worker.
#[test]
fn browser_retag_prompt_sends_the_new_tags() {
    let mut s = browser_on_tags();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Retag, &mut ctx));
    type_into(&mut s, "stable bad:tag");
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().unwrap().error.is_some());
    assert!(runs(&ctx.outbox).is_empty());
    for _ in 0..7 {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    }
    type_into(&mut s, "v1-2024-06");
    s.action(Action::Submit, &mut ctx);
    let r = runs(&ctx.outbox);
    assert!(
        matches!(&r[..], [(_, Slot::Retag, Command::Retag { src, tags })]
            if src.tag.as_deref() == Some("v1") && tags == &["stable", "v1-2024-06"]),
        "{r:?}"
    );
}

/// The sync plans the browser asked for: (id, source, dest).
fn sync_plans(
    ctx: &Ctx,
) -> Vec<(
    crate::tui::worker::RequestId,
    crate::ops::SyncSource,
    String,
)> {
    runs(&ctx.outbox)
        .into_iter()
        .filter_map(|(id, slot, c)| match c {
            Command::SyncPlan { source, dest } if slot == Slot::SyncPlan => {
                Some((id, source, dest))
            }
            _ => None,
        })
        .collect()
}

/// `S` on a repository of the catalog opens the destination prompt (Tab completes a
/// registry seen, a bad destination is refused); Enter asks the worker for the plan of
/// every tag; the plan's reply shows the table; Enter there starts the sync as a transfer,
/// the very plan shown.
#[test]
fn sync_prompt_then_the_plan_then_enter_starts_the_transfer() {
    use crate::ops::SyncSource;
    use crate::tui::pane::Transfer;
    use crate::tui::state::browser::{Overlay, PromptKind, SyncConfirm};
    use crate::tui::worker::RegistrySource;
    let mut s = fixtures::catalog_state();
    s.catalog.extend(["samples/app".to_string()]);
    s.reply(
        Slot::Registries,
        Reply::Registries(vec![("127.0.0.1:6000".into(), RegistrySource::History)]),
        &Ctx::default(),
    );
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Sync, &mut ctx));
    assert_eq!(s.prompt().map(|p| p.kind), Some(PromptKind::SyncTo));
    assert!(s.field_focused());
    type_into(&mut s, "127.0.0.1:6");
    s.field_key(&press(KeyCode::Tab), &Ctx::default());
    assert_eq!(s.prompt().unwrap().field.value(), "127.0.0.1:6000/");
    type_into(&mut s, "Mirror");
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(
        s.prompt().and_then(|p| p.error.as_ref()).is_some(),
        "an upper-case namespace is refused"
    );
    assert!(sync_plans(&ctx).is_empty());
    for _ in 0.."Mirror".len() {
        s.field_key(&press(KeyCode::Backspace), &Ctx::default());
    }
    type_into(&mut s, "mirror");
    assert!(s.action(Action::Submit, &mut ctx));
    let plans = sync_plans(&ctx);
    let [(id, source, dest)] = &plans[..] else {
        panic!("one plan asked: {plans:?}");
    };
    let repo = Reference::parse(&format!("{HOST}/samples/app")).unwrap();
    assert_eq!(source, &SyncSource::Repository(repo));
    assert_eq!(dest, "127.0.0.1:6000/mirror");
    assert!(matches!(
        s.sync_confirm(),
        Some(SyncConfirm::Planning { .. })
    ));
    assert_eq!(s.contexts(), vec![Context::SyncPlan]);
    // Enter before the plan is there does nothing.
    let mut early = Ctx::default();
    assert!(s.action(Action::Submit, &mut early));
    assert!(early.events.is_empty() && early.outbox.is_empty());

    let job = fixtures::sync_plan_job();
    let mut ctx2 = Ctx::default();
    s.change_reply(
        Slot::SyncPlan,
        Reply::SyncPlanned(job.plan.clone()),
        &mut ctx2,
    );
    let Some(SyncConfirm::Ask { job: shown, .. }) = s.sync_confirm() else {
        panic!("the plan's table: {:?}", s.overlay);
    };
    assert!(std::sync::Arc::ptr_eq(&shown.plan, &job.plan));
    assert_eq!(s.contexts(), vec![Context::SyncPlan, Context::List]);
    let _ = id;
    let mut ctx3 = Ctx::default();
    assert!(s.action(Action::Submit, &mut ctx3));
    assert!(s.overlay.is_none());
    let started: Vec<_> = ctx3
        .events
        .iter()
        .filter_map(|e| match e {
            AppEvent::StartTransfer(t) => match &**t {
                Transfer::Sync(j) => Some(j.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(started.len(), 1, "{:?}", ctx3.events);
    assert!(std::sync::Arc::ptr_eq(&started[0].plan, &job.plan));
    assert_eq!(started[0].dest, "127.0.0.1:6000/mirror");
    assert!(!matches!(s.overlay, Some(Overlay::Sync(_))));
}

/// Esc while the plan is worked out cancels its request; a plan arriving after that (or
/// for a superseded request) changes nothing; Esc on the table drops it, nothing started.
#[test]
fn sync_esc_cancels_and_a_stale_plan_is_dropped() {
    use crate::tui::state::browser::SyncConfirm;
    use crate::tui::worker::WorkerEvent;
    let mut s = browser_on_tags();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Sync, &mut ctx));
    type_into(&mut s, "127.0.0.1:6000/mirror");
    assert!(s.action(Action::Submit, &mut ctx));
    let first = last_id(&ctx, Slot::SyncPlan);
    let plans = sync_plans(&ctx);
    assert!(
        matches!(&plans[..], [(_, crate::ops::SyncSource::Image(r), _)] if r.tag.as_deref() == Some("v1")),
        "the tag selected: {plans:?}"
    );
    assert!(s.action(Action::Cancel, &mut ctx));
    assert!(s.overlay.is_none());
    assert!(ctx
        .outbox
        .iter()
        .any(|m| matches!(m, ToWorker::Cancel(i) if *i == first)));
    let plan = fixtures::sync_plan_job().plan;
    let stale = WorkerEvent::last(first, Slot::SyncPlan, Reply::SyncPlanned(plan.clone()));
    assert!(!ctx.requests.accept(&stale), "the app drops it");
    // Delivered anyway, it opens nothing: its window is closed.
    s.change_reply(Slot::SyncPlan, stale.reply, &mut ctx);
    assert!(s.overlay.is_none());

    // A second sync supersedes nothing left; its own plan is the one listened to.
    assert!(s.action(Action::Sync, &mut ctx));
    type_into(&mut s, "127.0.0.1:6000/mirror");
    assert!(s.action(Action::Submit, &mut ctx));
    let second = last_id(&ctx, Slot::SyncPlan);
    assert!(!ctx.requests.accept(&WorkerEvent::last(
        first,
        Slot::SyncPlan,
        Reply::SyncPlanned(plan.clone())
    )));
    let fresh = WorkerEvent::last(second, Slot::SyncPlan, Reply::SyncPlanned(plan));
    assert!(ctx.requests.accept(&fresh));
    s.change_reply(Slot::SyncPlan, fresh.reply, &mut ctx);
    assert!(matches!(s.sync_confirm(), Some(SyncConfirm::Ask { .. })));
    let mut esc = Ctx::default();
    assert!(s.action(Action::Cancel, &mut esc));
    assert!(s.overlay.is_none());
    assert!(
        !esc.events
            .iter()
            .any(|e| matches!(e, AppEvent::StartTransfer(_))),
        "{:?}",
        esc.events
    );
}
