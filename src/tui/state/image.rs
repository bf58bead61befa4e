//! One platform's image as rows for the browser: its config (platform, created, author and
//! the run settings), its history (one row per step, with the layer it made and that layer's
//! size, empty steps marked), then its layers. Pure: built from [`ImageDetails`].

use super::Load;
use crate::attest::{PredicateKind, Summary};
use crate::digest::Digest;
use crate::image::ImageDetails;
use crate::ops::StatementLayer;

/// One row of the image view. Text is registry-supplied: drawing makes it inert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRow {
    /// A section title with a summary (`History`, `12 steps, 3 made layers`).
    Section {
        title: &'static str,
        summary: String,
    },
    /// A config setting; `label` is empty on the continuation rows of a multi-valued one
    /// (one row per `Env` entry, per label).
    Field { label: &'static str, value: String },
    /// A history step (1-based `n`); `layer` is the 1-based layer it made with its size,
    /// `None` for an empty step.
    Step {
        n: usize,
        created_by: String,
        comment: String,
        layer: Option<(usize, i64)>,
    },
    /// A layer (1-based `n`) with the step that made it, if known.
    Layer {
        n: usize,
        digest: Digest,
        size: i64,
        media_type: String,
        step: Option<String>,
    },
}

impl ImageRow {
    /// The row's whole text (for the wrapped line under the table: nothing stays cut).
    pub(crate) fn full_text(&self) -> String {
        match self {
            ImageRow::Section { title, summary } => format!("{title}: {summary}"),
            ImageRow::Field { label, value } => format!("{label} {value}").trim().to_string(),
            ImageRow::Step {
                n,
                created_by,
                comment,
                ..
            } => {
                if comment.is_empty() {
                    format!("step {n}: {created_by}")
                } else {
                    format!("step {n}: {created_by}  ({comment})")
                }
            }
            ImageRow::Layer {
                n,
                digest,
                media_type,
                step,
                ..
            } => {
                // An artifact's payload is named by its whole type, which the row may cut.
                let mt = if is_image_layer(media_type) {
                    String::new()
                } else {
                    format!(" ({media_type})")
                };
                match step {
                    Some(s) => format!("layer {n}: {digest}{mt}, made by: {s}"),
                    None => format!("layer {n}: {digest}{mt}"),
                }
            }
        }
    }
}

/// True for an image's filesystem layer (OCI `image.layer`, docker `rootfs`), as opposed to
/// an artifact's payload.
pub(crate) fn is_image_layer(media_type: &str) -> bool {
    media_type.contains(".image.layer.") || media_type.contains(".rootfs.")
}

/// How a layer's type is shown in a row: an image layer by its compression (`tar+gzip`),
/// anything else (an artifact's payload) by its whole type.
pub(crate) fn layer_type(media_type: &str) -> &str {
    if is_image_layer(media_type) {
        media_type.rsplit(['.', '/']).next().unwrap_or(media_type)
    } else {
        media_type
    }
}

fn field(rows: &mut Vec<ImageRow>, label: &'static str, value: &str) {
    if !value.is_empty() {
        rows.push(ImageRow::Field {
            label,
            value: value.to_string(),
        });
    }
}

/// One row per value, the label on the first.
fn fields(rows: &mut Vec<ImageRow>, label: &'static str, values: impl IntoIterator<Item = String>) {
    for (i, value) in values.into_iter().enumerate() {
        rows.push(ImageRow::Field {
            label: if i == 0 { label } else { "" },
            value,
        });
    }
}

/// A command line the way docker shows one: JSON array elements joined by spaces.
fn argv(v: &[String]) -> String {
    v.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) || a.contains('"') {
                format!("{a:?}")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of what attestations say: per statement its kind and predicate type, then its
/// summary (SLSA provenance: builder, build type, source and commit, build args; SBOM:
/// format, package count, tools, top-level packages).
fn statement_rows(rows: &mut Vec<ImageRow>, statements: &[StatementLayer]) {
    for l in statements {
        let kind = l
            .predicate_type
            .as_deref()
            .map(|t| PredicateKind::of(t).label())
            .unwrap_or("attestation");
        let st = match &l.statement {
            Ok(st) => st,
            Err(e) => {
                field(rows, kind, &format!("could not be read: {e}"));
                continue;
            }
        };
        field(rows, st.kind().label(), &st.predicate_type);
        match &st.summary {
            Summary::Provenance(p) => {
                field(rows, "  builder", &p.builder);
                field(rows, "  build type", &p.build_type);
                let src = match (p.source.is_empty(), p.commit.is_empty()) {
                    (false, false) => format!("{} @ {}", p.source, p.commit),
                    (false, true) => p.source.clone(),
                    (true, _) => p.commit.clone(),
                };
                field(rows, "  source", &src);
                fields(
                    rows,
                    "  build args",
                    p.args.iter().map(|(k, v)| format!("{k}={v}")),
                );
            }
            Summary::Sbom(b) => {
                field(
                    rows,
                    "  document",
                    &format!("{}, {} packages", b.format, b.packages),
                );
                field(rows, "  tools", &b.tools.join(", "));
                fields(rows, "  top", b.top.iter().cloned());
            }
            Summary::Other { keys } => field(rows, "  keys", &keys.join(", ")),
        }
    }
}

/// The rows of one image, in order: config, attestations (when the platform has some),
/// history, layers.
pub(crate) fn image_rows(
    d: &ImageDetails,
    statements: Option<&[StatementLayer]>,
    statements_load: &Load,
) -> Vec<ImageRow> {
    let mut rows = Vec::new();
    let image_config = config_rows(&mut rows, d);
    attestation_rows(&mut rows, statements, statements_load);
    history_rows(&mut rows, d, image_config);
    layer_rows(&mut rows, d);
    rows
}

/// The config section: the config blob, what an artifact is and refers to, the
/// annotations, then the config's fields. True when the config is an image config (an
/// artifact's, often the OCI empty one, is not: its type is said).
fn config_rows(rows: &mut Vec<ImageRow>, d: &ImageDetails) -> bool {
    let c = &d.config;
    let r = &c.config;
    let cfg = &d.image.config;
    let image_config =
        [crate::media::OCI_CONFIG, crate::media::DOCKER_CONFIG].contains(&cfg.media_type.as_str());
    let summary = if image_config {
        format!("{} ({} bytes)", cfg.digest, cfg.size)
    } else {
        format!("{} ({} bytes, {})", cfg.digest, cfg.size, cfg.media_type)
    };
    rows.push(ImageRow::Section {
        title: "Config",
        summary,
    });
    // An artifact (a signature, an SBOM…): what it is and what it refers to.
    if let Some(t) = &d.image.artifact_type {
        let kind = crate::attest::artifact_label(t);
        let value = if &kind == t {
            t.clone()
        } else {
            format!("{kind}: {t}")
        };
        field(rows, "artifact", &value);
    }
    if let Some(subj) = &d.image.subject {
        field(rows, "subject", subj.digest.as_str());
    }
    fields(
        rows,
        "annotations",
        d.image.annotations.iter().map(|(k, v)| format!("{k}={v}")),
    );
    let p = c.platform();
    if !(p.os.is_empty() && p.architecture.is_empty()) {
        field(rows, "platform", &p.display());
    }
    field(rows, "created", c.created.as_deref().unwrap_or(""));
    field(rows, "author", c.author.as_deref().unwrap_or(""));
    field(rows, "entrypoint", &argv(&r.entrypoint));
    field(rows, "cmd", &argv(&r.cmd));
    field(rows, "workdir", &r.working_dir);
    field(rows, "user", &r.user);
    field(rows, "ports", &r.exposed_ports.join(", "));
    field(rows, "volumes", &r.volumes.join(", "));
    field(rows, "stop signal", &r.stop_signal);
    fields(rows, "env", r.env.iter().cloned());
    fields(
        rows,
        "labels",
        r.labels.iter().map(|(k, v)| format!("{k}={v}")),
    );
    image_config
}

/// The attestations section: the statements once read, or where reading them stands;
/// nothing for a platform without attestations.
fn attestation_rows(
    rows: &mut Vec<ImageRow>,
    statements: Option<&[StatementLayer]>,
    statements_load: &Load,
) {
    match (statements, statements_load) {
        (Some(st), _) => {
            rows.push(ImageRow::Section {
                title: "Attestations",
                summary: format!(
                    "{} statement{}",
                    st.len(),
                    if st.len() == 1 { "" } else { "s" }
                ),
            });
            statement_rows(rows, st);
        }
        (None, Load::Loading) => rows.push(ImageRow::Section {
            title: "Attestations",
            summary: "loading…".to_string(),
        }),
        (None, Load::Failed(m)) => rows.push(ImageRow::Section {
            title: "Attestations",
            summary: format!("could not be read: {m}"),
        }),
        _ => {}
    }
}

/// The history section: one row per build step, with the layer it made.
fn history_rows(rows: &mut Vec<ImageRow>, d: &ImageDetails, image_config: bool) {
    let steps = d.steps();
    let made = steps.iter().filter(|s| s.layer.is_some()).count();
    // An artifact has no build history: no empty "0 steps" section for it.
    if image_config || !steps.is_empty() {
        rows.push(ImageRow::Section {
            title: "History",
            summary: format!(
                "{} step{}, {made} made a layer, {} empty",
                steps.len(),
                if steps.len() == 1 { "" } else { "s" },
                steps.iter().filter(|s| s.history.empty_layer).count()
            ),
        });
    }
    let layers = d.layers();
    for (i, s) in steps.iter().enumerate() {
        rows.push(ImageRow::Step {
            n: i + 1,
            created_by: s.history.created_by.clone(),
            comment: s.history.comment.clone(),
            layer: s.layer.map(|l| (l + 1, layers[l].size)),
        });
    }
}

/// The layers section: one row per layer, with the step that made it.
fn layer_rows(rows: &mut Vec<ImageRow>, d: &ImageDetails) {
    let layers = d.layers();
    rows.push(ImageRow::Section {
        title: "Layers",
        summary: format!(
            "{} layer{}, {} in all with the config",
            layers.len(),
            if layers.len() == 1 { "" } else { "s" },
            crate::text::human_size(d.size())
        ),
    });
    let made_by = d.layer_steps();
    for (i, l) in layers.iter().enumerate() {
        rows.push(ImageRow::Layer {
            n: i + 1,
            digest: l.digest.clone(),
            size: l.size,
            media_type: l.media_type.clone(),
            step: made_by[i].map(|h| h.created_by.clone()),
        });
    }
}
