//! Attestations and referrers against the real registry: the attested sample release
//! (BuildKit-style attestation manifests, a signature by the referrers tag scheme), read back
//! through the client and the ops, with skopeo confirming what the registry holds.

mod common;

use common::*;
use manifest_tui::attest::{self, PredicateKind, Summary};
use manifest_tui::media::Parsed;
use manifest_tui::ops;
use manifest_tui::reference::Reference;
use manifest_tui::registry::{Client, ClientOptions, ReferrersVia, Repo};
use manifest_tui::samples::attest::{
    attested, seed_attested, ATTESTED_REPO, COMMIT, SIGNATURE_TYPE, SOURCE,
};
use manifest_tui::samples::Seeder;

fn client() -> Client {
    Client::new(ClientOptions {
        certs_dirs: Some(Vec::new()),
        ..Default::default()
    })
    .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attestations_and_tag_scheme_referrers_read_back() {
    install_crypto();
    let reg = TestRegistry::plain();
    let seeder = Seeder::new(&reg.url, None).expect("seeder");
    let a = seed_attested(&seeder)
        .await
        .expect("seed the attested release");
    // skopeo reads the index we seeded, byte for byte.
    let raw = skopeo_inspect_raw(&reg.reference(&format!("{ATTESTED_REPO}:v1")), &[]);
    assert_eq!(raw, a.index.manifest);

    let c = client();
    let list: Reference = format!("{}/{ATTESTED_REPO}:v1", reg.host)
        .parse()
        .expect("ref");
    let m = c.get_manifest(&list).await.expect("index");
    let Ok(Parsed::Index(idx)) = m.parse() else {
        panic!("not an index")
    };
    let g = attest::group(&idx.manifests);
    assert_eq!(g.images.len(), 6, "six platforms, attestations folded in");
    assert!(g.orphans.is_empty());
    for (img, atts) in &g.images {
        assert_eq!(atts.len(), 1, "one attestation manifest per platform");
        let subject = attest::attestation_subject(&idx.manifests[atts[0]]).expect("subject");
        assert_eq!(subject, idx.manifests[*img].digest);
    }

    // The statements of the first platform's attestation: an SBOM and a provenance.
    let first = &idx.manifests[g.images[0].1[0]];
    let layers = ops::statements(&c, &list, first).await.expect("statements");
    let kinds: Vec<PredicateKind> = layers
        .iter()
        .map(|l| l.statement.as_ref().expect("parsed").kind())
        .collect();
    assert_eq!(kinds, [PredicateKind::Sbom, PredicateKind::Provenance]);
    let Summary::Sbom(sbom) = &layers[0].statement.as_ref().unwrap().summary else {
        panic!()
    };
    assert_eq!(
        (sbom.packages, sbom.top.as_slice()),
        (3, &["manifest-tui-sample-app 1.0.0".to_string()][..])
    );
    let Summary::Provenance(p) = &layers[1].statement.as_ref().unwrap().summary else {
        panic!()
    };
    assert_eq!((p.source.as_str(), p.commit.as_str()), (SOURCE, COMMIT));
    assert_eq!(p.args["TARGETPLATFORM"], "linux/amd64");

    // Distribution 2.8 has no referrers API: the tag scheme answers, with the signature.
    let repo = Repo::of(&list);
    let r = c
        .referrers(&repo, &a.index.digest)
        .await
        .expect("referrers");
    assert_eq!(r.via, ReferrersVia::TagScheme);
    assert_eq!(r.descriptors.len(), 1);
    assert_eq!(r.descriptors[0].digest, a.signature.digest);
    assert_eq!(
        r.descriptors[0].artifact_type.as_deref(),
        Some(SIGNATURE_TYPE)
    );
    // A platform with nothing referring to it: none, still by the tag scheme.
    let r = c
        .referrers(&repo, &a.images[0].digest)
        .await
        .expect("referrers");
    assert_eq!((r.via, r.descriptors.len()), (ReferrersVia::TagScheme, 0));
    // The tag-scheme tag is in the tag list, and recognisable as such.
    let tags = c.list_tags(&repo, 1000).await.expect("tags");
    assert_eq!(
        tags.iter().filter(|t| attest::is_referrers_tag(t)).count(),
        1
    );
    assert!(tags.contains(&"v1".to_string()));
}

#[test]
fn attested_sample_is_deterministic() {
    assert_eq!(attested(), attested());
}
