//! The browser's state transitions: levels, the catalog and its prompt, statements, referrers
//! and the trail.

use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::keymap::Context;
use crate::tui::keymap::Keymap;
use crate::tui::pane::AppEvent;
use crate::tui::pane::Ctx;
use crate::tui::state::browser::BrowserState;
use crate::tui::state::browser::Level;
use crate::tui::state::Load;
use crate::tui::test_fixtures::{self as fixtures, ch, last_id, press, runs, HOST};
use crate::tui::theme::Theme;
use crate::tui::worker::Command;
use crate::tui::worker::Reply;
use crate::tui::worker::Slot;
use crate::tui::worker::WorkerEvent;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;

#[test]
fn starting_at_a_registry_streams_its_catalog() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.start(Some(HOST), None, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    let r = runs(&ctx.outbox);
    assert!(r.iter().any(|(_, slot, c)| *slot == Slot::Catalog
        && matches!(c, Command::Catalog { registry, page_size: 1000 } if registry == HOST)));
    s.reply(
        Slot::Catalog,
        Reply::CatalogPage {
            repos: fixtures::repo_names(100),
            done: false,
        },
        &Ctx::default(),
    );
    assert_eq!(s.catalog_load, Load::Partial);
    s.reply(
        Slot::Catalog,
        Reply::CatalogPage {
            repos: vec!["samples/app".into()],
            done: true,
        },
        &Ctx::default(),
    );
    assert_eq!(s.catalog_load, Load::Done);
    assert_eq!(s.catalog.total(), 101);
}

#[test]
fn back_clears_the_filter_before_leaving_the_level() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.registry = Some(HOST.into());
    s.level = Level::Catalog;
    s.catalog.extend(fixtures::repo_names(10));
    s.catalog.set_filter("team-1");
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    assert_eq!(s.catalog.filter(), "");
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Registries);
}

#[test]
fn catalog_unavailable_lets_the_user_type_a_repository() {
    let mut s = no_catalog(&[]);
    assert!(s.field_focused());
    let mut ctx = Ctx::default();
    for c in "library/alpine".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    s.action(Action::Submit, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    assert_eq!(s.repo.as_deref(), Some("library/alpine"));
    assert!(runs(&ctx.outbox)
        .iter()
        .any(|(_, slot, _)| *slot == Slot::Tags));
}

#[test]
fn a_typed_registry_must_be_a_host() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.action(Action::OpenByName, &mut ctx);
    for c in "not a host".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    s.action(Action::Submit, &mut ctx);
    assert!(s.prompt().is_some_and(|p| p.error.is_some()));
    assert_eq!(s.level, Level::Registries);
}

#[test]
fn without_a_catalog_the_recent_repositories_are_offered() {
    let mut s = no_catalog(&["library/alpine", "team/app"]);
    // The recent ones are listed, the prompt is not forced on the user.
    assert!(!s.field_focused());
    assert_eq!(s.level, Level::Catalog);
    assert_eq!(s.catalog.total(), 2);
    assert!(s.catalog_unavailable.is_some());
    // Enter opens the selected one (the second, after a step down).
    let mut ctx = Ctx::default();
    s.action(Action::Down, &mut ctx);
    s.action(Action::Open, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    assert_eq!(s.repo.as_deref(), Some("team/app"));
    let tags: Vec<_> = runs(&ctx.outbox)
        .into_iter()
        .filter(|(_, slot, _)| *slot == Slot::Tags)
        .collect();
    assert!(
        matches!(&tags[..], [(_, _, Command::Tags { repo, .. })] if repo.path == "team/app" && repo.domain == "docker.io"),
        "{tags:?}"
    );
    // Back at the registry level, the open-by-name key still prompts for another one.
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Catalog);
    s.action(Action::OpenByName, &mut ctx);
    assert!(s.field_focused());
}

/// The attested release's first platform opened from its list (its attestations'
/// statements asked for, and still on their way) and its content arrived.
fn attested_platform_shown(ctx: &mut Ctx) -> BrowserState {
    let mut s = fixtures::attested_browser();
    s.level = Level::Content;
    assert!(s.action(Action::Open, ctx), "the first platform");
    assert_eq!(*s.view.as_ref().unwrap().statements.load(), Load::Loading);
    let img = fixtures::attested_image_browser()
        .content()
        .cloned()
        .unwrap();
    s.reply(
        Slot::Content,
        Reply::Inspected(Box::new(img)),
        &Ctx::default(),
    );
    s
}

/// Refresh on a platform opened from its list asks for its attestations' statements again
/// with the manifest (they were once dropped: the Attestations section vanished until the
/// platform was opened again from its list).
#[test]
fn refresh_on_a_platform_asks_for_its_statements_again() {
    let mut s = attested_platform_shown(&mut Ctx::default());
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Refresh, &mut ctx));
    let slots: Vec<Slot> = runs(&ctx.outbox).iter().map(|r| r.1).collect();
    assert_eq!(slots, vec![Slot::Content, Slot::Statements], "{slots:?}");
    let v = s.view.as_ref().expect("a view");
    assert!(v.content.busy() && v.statements.busy());
}

/// The referrers of the content shown come as a second reply of the same request, after the
/// content is on screen, and land in its header.
#[test]
fn referrers_arrive_after_the_content_and_show_in_its_header() {
    let mut app = App::new(Keymap::default(), Theme::colored());
    let mut b = crate::tui::panes::browser::BrowserPane::default();
    b.state.registry = Some(HOST.into());
    b.state.repo = Some("samples/webapp".into());
    b.state.level = Level::Tags;
    b.state.tags.extend(["v1".to_string()]);
    b.state.tags_load = Load::Done;
    app.panes[0] = Box::new(b);
    app.key(press(KeyCode::Enter));
    let inspect = last_id(&app.ctx, Slot::Content);
    app.worker_event(WorkerEvent {
        id: inspect,
        slot: Slot::Content,
        last: false,
        reply: Reply::Inspected(Box::new(fixtures::webapp_list())),
    });
    let dropped = app.ctx.requests.dropped;
    let mut sig = crate::media::RawManifest::new(
        b"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},\"layers\":[]}".to_vec(),
        "application/vnd.oci.image.manifest.v1+json",
    )
    .expect("manifest")
    .descriptor();
    sig.artifact_type = Some("application/vnd.dev.sigstore.bundle.v0.3+json".into());
    app.worker_event(WorkerEvent {
        id: inspect,
        slot: Slot::Content,
        last: true,
        reply: Reply::Referrers(Ok(crate::registry::Referrers {
            via: crate::registry::ReferrersVia::Api,
            descriptors: vec![sig],
            index: None,
        })),
    });
    assert_eq!(
        app.ctx.requests.dropped, dropped,
        "the second reply is taken"
    );
    let mut term = Terminal::new(TestBackend::new(220, 10)).expect("terminal");
    term.draw(|f| app.draw(f)).expect("draw");
    let screen = format!("{}", term.backend());
    assert!(
        screen.contains(
            "referred to by 1: application/vnd.dev.sigstore.bundle.v0.3+json (referrers API)"
        ),
        "{screen}"
    );
}

/// The browser started at docker.io, whose catalog is refused, with these recent ones.
fn no_catalog(recent: &[&str]) -> BrowserState {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    s.start(Some("docker.io"), None, &mut ctx);
    s.reply(
        Slot::Catalog,
        Reply::CatalogUnavailable {
            reason: "docker.io does not list its repositories (401 UNAUTHORIZED).".into(),
            recent: recent.iter().map(|r| r.to_string()).collect(),
        },
        &Ctx::default(),
    );
    s
}

/// `R` opens the panel of what refers to the list shown; Enter opens the selected referrer
/// (`repo@digest`, in the same repository) as the content, its own referrers to follow; Back
/// there returns to the list as it was, the panel open on the same row, without asking the
/// registry again; Esc closes the panel, and Back then leaves for the tags.
#[test]
fn referrers_panel_opens_a_referrer_and_back_returns_to_it() {
    let a = mt_testkit::samples::attest::attested();
    let mut s = fixtures::attested_browser();
    s.level = Level::Content;
    fixtures::view(&mut s)
        .content
        .value_mut()
        .expect("content")
        .referrers = Some(Ok(fixtures::signature_referrers()));
    fixtures::view(&mut s).sel.set(2);
    let list = s.shown().cloned().expect("shown");
    let mut ctx = Ctx::default();
    assert!(s.action(Action::Referrers, &mut ctx));
    assert_eq!(s.contexts(), vec![Context::Referrers, Context::List]);
    let rows = s.referrers_shown();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "signature");
    assert_eq!(rows[0].digest, a.signature.digest);
    assert_eq!(rows[0].created.as_deref(), Some("2026-11-30T10:05:00Z"));
    // Moving stays on the one row; y copies its digest.
    assert!(s.action(Action::Down, &mut ctx));
    assert_eq!(s.referrers_panel().map(|c| c.get()), Some(0));
    assert!(s.action(Action::CopyDigest, &mut ctx));
    assert!(ctx
        .events
        .contains(&AppEvent::Copy(a.signature.digest.to_string())));

    assert!(s.action(Action::Open, &mut ctx));
    let sig = list.at_digest(&a.signature.digest);
    assert_eq!(s.shown(), Some(&sig));
    assert_eq!(s.level, Level::Content);
    assert!(
        s.referrers_panel().is_none()
            && s.content().is_none()
            && s.view.as_ref().unwrap().details.value().is_none()
    );
    assert!(runs(&ctx.outbox)
        .iter()
        .any(|(_, slot, c)| *slot == Slot::Content
            && matches!(c, Command::Inspect { reference } if *reference == sig)));
    // Its content arrives (its own referrers after it, as for any manifest shown).
    s.reply(
        Slot::Content,
        Reply::Inspected(Box::new(
            fixtures::signature_image_browser()
                .content()
                .cloned()
                .unwrap(),
        )),
        &Ctx::default(),
    );
    assert!(s.view.as_ref().unwrap().referrers_pending());

    let sent = runs(&ctx.outbox).len();
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.shown(), Some(&list), "back at the list");
    assert_eq!(s.level, Level::Content);
    assert_eq!(
        s.view.as_ref().unwrap().sel.get(),
        2,
        "on the row it was on"
    );
    assert_eq!(*s.view.as_ref().unwrap().details.load(), Load::Done);
    assert_eq!(
        s.view.as_ref().unwrap().details.value().map(Vec::len),
        Some(12)
    );
    assert!(s.content().is_some_and(|c| c.referrers.is_some()));
    assert_eq!(s.referrers_panel().map(|c| c.get()), Some(0));
    assert_eq!(
        runs(&ctx.outbox).len(),
        sent,
        "nothing asked again: {:?}",
        &runs(&ctx.outbox)[sent..]
    );

    assert!(s.action(Action::Close, &mut ctx));
    assert!(s.referrers_panel().is_none());
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.level, Level::Tags);
}

/// A platform opened from its list, its attestations' statements still on their way when a
/// referrer is opened: back at the platform they are asked for again.
#[test]
fn back_from_a_referrer_asks_again_for_what_had_not_arrived() {
    let mut ctx = Ctx::default();
    let mut s = attested_platform_shown(&mut ctx);
    let platform = s.shown().cloned().expect("shown");
    s.reply(
        Slot::Content,
        Reply::Referrers(Ok(fixtures::signature_referrers())),
        &Ctx::default(),
    );
    assert!(s.action(Action::Referrers, &mut ctx));
    assert!(s.action(Action::Open, &mut ctx));
    assert!(s.action(Action::Back, &mut ctx));
    assert_eq!(s.shown(), Some(&platform));
    assert_eq!(*s.view.as_ref().unwrap().statements.load(), Load::Loading);
    let (_, _, last) = runs(&ctx.outbox)
        .into_iter()
        .rev()
        .find(|(_, slot, _)| *slot == Slot::Statements)
        .expect("statements asked");
    assert!(
        matches!(&last, Command::Statements { attestations, .. } if attestations.len() == 1),
        "{last:?}"
    );
    let asked = runs(&ctx.outbox)
        .iter()
        .filter(|(_, slot, _)| *slot == Slot::Statements)
        .count();
    assert_eq!(
        asked, 2,
        "once on opening the platform, once on coming back"
    );
}

/// A layout opened from the command line is a registry of one repository: its tags at
/// once, each tag's reference the layout's own (`oci:DIR:TAG`, no `oci:DIR/`); Back from
/// the tags goes to the places, not to a catalog of one nameless row.
#[test]
fn a_layout_opens_as_a_registry_of_one_repository() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    let start = crate::reference::Reference::parse("oci:/tmp/lay1").unwrap();
    s.start(None, Some(&start), &mut ctx);
    assert_eq!(s.level, Level::Tags);
    let tags: Vec<_> = runs(&ctx.outbox)
        .into_iter()
        .filter_map(|(_, slot, c)| match c {
            Command::Tags { repo, .. } if slot == Slot::Tags => Some(repo),
            _ => None,
        })
        .collect();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].to_string(), "oci:/tmp/lay1");
    s.reply(
        Slot::Tags,
        Reply::TagsPage {
            tags: vec!["v1-oci".into(), "example.com/app:1.0".into()],
            done: true,
        },
        &ctx,
    );
    let r = s.tag_reference("v1-oci").expect("a reference");
    assert_eq!((r.domain.as_str(), r.path.as_str()), ("oci:/tmp/lay1", ""));
    assert_eq!(r.to_string(), "oci:/tmp/lay1:v1-oci");
    assert_eq!(
        s.references_in(&Reply::TagsPage {
            tags: vec!["example.com/app:1.0".into()],
            done: true
        }),
        vec!["oci:/tmp/lay1:example.com/app:1.0".to_string()]
    );
    let mut ctx = Ctx::default();
    s.action(Action::Open, &mut ctx);
    assert_eq!(s.level, Level::Content);
    assert_eq!(
        s.shown().map(|r| r.to_string()).as_deref(),
        Some("oci:/tmp/lay1:v1-oci")
    );
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    let mut ctx = Ctx::default();
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Registries);
    assert!(
        !runs(&ctx.outbox)
            .iter()
            .any(|(_, slot, _)| *slot == Slot::Catalog),
        "no catalog is asked of a layout"
    );
    assert!(!s.seen.contains("oci:/tmp/lay1/"), "{:?}", s.seen);
}

/// The location prompt takes a layout where a registry host is typed: `oci:DIR` opens its
/// tags, `oci:DIR:REF` the manifest; choosing it again from the places reopens its tags.
#[test]
fn the_location_prompt_opens_a_layout() {
    let mut s = BrowserState::new();
    let mut ctx = Ctx::default();
    assert!(s.action(Action::OpenByName, &mut ctx));
    for c in "oci:./out:v1".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(s.overlay.is_none(), "{:?}", s.overlay);
    assert_eq!(s.registry.as_deref(), Some("oci:./out"));
    assert_eq!(s.repo.as_deref(), Some(""));
    assert_eq!(s.level, Level::Content);
    assert_eq!(
        s.shown().map(|r| r.to_string()).as_deref(),
        Some("oci:./out:v1")
    );
    let inspected: Vec<_> = runs(&ctx.outbox)
        .into_iter()
        .filter_map(|(_, _, c)| match c {
            Command::Inspect { reference } => Some(reference.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(inspected, vec!["oci:./out:v1".to_string()]);
    // Back to the places; the layout is one of them and opens to its tags.
    s.action(Action::Back, &mut ctx);
    s.action(Action::Back, &mut ctx);
    assert_eq!(s.level, Level::Registries);
    assert!(s.registries.items().iter().any(|c| c.host == "oci:./out"));
    s.registries.select_text("oci:./out");
    let mut ctx = Ctx::default();
    s.action(Action::Open, &mut ctx);
    assert_eq!(s.level, Level::Tags);
    // A typo in the place is refused in the prompt.
    assert!(s.action(Action::Back, &mut ctx));
    assert!(s.action(Action::OpenByName, &mut ctx));
    for c in "oci:".chars() {
        s.field_key(&ch(c), &Ctx::default());
    }
    assert!(s.action(Action::Submit, &mut ctx));
    assert!(s.prompt().and_then(|p| p.error.as_ref()).is_some());
}
