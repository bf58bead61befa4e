//! One platform's image as rows for the browser: its config (platform, created, author and
//! the run settings), its history (one row per step, with the layer it made and that layer's
//! size, empty steps marked), then its layers. Pure: built from [`ImageDetails`].

use crate::digest::Digest;
use crate::image::ImageDetails;

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
    pub fn full_text(&self) -> String {
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
                n, digest, step, ..
            } => match step {
                Some(s) => format!("layer {n}: {digest}, made by: {s}"),
                None => format!("layer {n}: {digest}"),
            },
        }
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

/// The rows of one image, in order: config, history, layers.
pub fn image_rows(d: &ImageDetails) -> Vec<ImageRow> {
    let c = &d.config;
    let r = &c.config;
    let mut rows = vec![ImageRow::Section {
        title: "Config",
        summary: format!("{} ({} bytes)", d.image.config.digest, d.image.config.size),
    }];
    field(&mut rows, "platform", &c.platform().display());
    field(&mut rows, "created", c.created.as_deref().unwrap_or(""));
    field(&mut rows, "author", c.author.as_deref().unwrap_or(""));
    field(&mut rows, "entrypoint", &argv(&r.entrypoint));
    field(&mut rows, "cmd", &argv(&r.cmd));
    field(&mut rows, "workdir", &r.working_dir);
    field(&mut rows, "user", &r.user);
    field(&mut rows, "ports", &r.exposed_ports.join(", "));
    field(&mut rows, "volumes", &r.volumes.join(", "));
    field(&mut rows, "stop signal", &r.stop_signal);
    fields(&mut rows, "env", r.env.iter().cloned());
    fields(
        &mut rows,
        "labels",
        r.labels.iter().map(|(k, v)| format!("{k}={v}")),
    );

    let steps = d.steps();
    let made = steps.iter().filter(|s| s.layer.is_some()).count();
    rows.push(ImageRow::Section {
        title: "History",
        summary: format!(
            "{} step{}, {made} made a layer, {} empty",
            steps.len(),
            if steps.len() == 1 { "" } else { "s" },
            steps.iter().filter(|s| s.history.empty_layer).count()
        ),
    });
    let layers = d.layers();
    for (i, s) in steps.iter().enumerate() {
        rows.push(ImageRow::Step {
            n: i + 1,
            created_by: s.history.created_by.clone(),
            comment: s.history.comment.clone(),
            layer: s.layer.map(|l| (l + 1, layers[l].size)),
        });
    }

    rows.push(ImageRow::Section {
        title: "Layers",
        summary: format!(
            "{} layer{}, {} in all with the config",
            layers.len(),
            if layers.len() == 1 { "" } else { "s" },
            crate::tui::text::human_size(d.size())
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
    rows
}
