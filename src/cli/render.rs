//! The CLI's text output: docker's JSON shapes and our tables. Everything here is pure.

use crate::media::{self, reindent, Descriptor, ListEntry, RawManifest};
use crate::ops::{human_size, AttestationStatus, Comparison, DiffRow, DiffStatus, Inspection};
use crate::reference::Reference;
use crate::sanitize::inert;
use base64::Engine as _;
use serde_json::json;

/// The store-file shape docker prints for `inspect -v` (`Ref`, `Descriptor`, `Raw`,
/// `SchemaV2Manifest`/`OCIManifest`), compact; callers re-indent with tabs.
pub fn verbose_object(reference: &Reference, descriptor: &Descriptor, raw: &RawManifest) -> String {
    let mut s = String::from("{\"Ref\":");
    media::go_quote_into(&mut s, &reference.to_string());
    s.push_str(",\"Descriptor\":");
    s.push_str(&serde_json::to_string(descriptor).unwrap_or_else(|_| "null".into()));
    s.push_str(",\"Raw\":");
    media::go_quote_into(
        &mut s,
        &base64::engine::general_purpose::STANDARD.encode(&raw.bytes),
    );
    let key = if raw.kind().is_oci() {
        "OCIManifest"
    } else {
        "SchemaV2Manifest"
    };
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&raw.bytes) {
        s.push_str(&format!(",\"{key}\":"));
        s.push_str(&v.to_string());
    }
    s.push('}');
    s
}

/// `inspect` without `-v`: a single manifest as the registry sent it, re-indented with tabs;
/// a list rebuilt from its entries (docker's shape, 3-space indent).
pub fn inspect_plain(ins: &Inspection) -> String {
    if ins.is_list() {
        let entries: Vec<ListEntry> = ins
            .entries
            .iter()
            .map(|e| ListEntry {
                media_type: e.descriptor.media_type.clone(),
                size: e.descriptor.size,
                digest: e.descriptor.digest.clone(),
                platform: e.platform(),
                annotations: Default::default(),
            })
            .collect();
        String::from_utf8_lossy(&media::render_list(
            ins.manifest.kind(),
            &entries,
            &Default::default(),
        ))
        .into_owned()
    } else {
        reindent(&ins.manifest.bytes, "\t")
    }
}

/// `inspect -v`: an object for an image, an array for a list, tab-indented.
pub fn inspect_verbose(ins: &Inspection) -> String {
    if ins.is_list() {
        let items: Vec<String> = ins
            .entries
            .iter()
            .filter_map(|e| {
                e.manifest
                    .as_ref()
                    .map(|m| verbose_object(&e.reference, &e.descriptor, m))
            })
            .collect();
        reindent(format!("[{}]", items.join(",")).as_bytes(), "\t")
    } else {
        let e = &ins.entries[0];
        let mut d = e.descriptor.clone();
        d.annotations.clear();
        reindent(
            verbose_object(&ins.reference, &d, &ins.manifest).as_bytes(),
            "\t",
        )
    }
}

/// `--format table`: the list's own digest, then one row per platform with the image's
/// compressed size, layer count and created time when they were fetched (`-` otherwise; a
/// platform whose details failed says why under the table), each followed by the BuildKit
/// attestations describing it (`└ attestation` rows: what they hold, by predicate type).
pub fn inspect_table(ins: &Inspection, details: &super::details::Fetched) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}  {}  {}\n",
        inert(&ins.reference.to_string()),
        ins.manifest.kind().label(),
        ins.manifest.digest
    ));
    if !ins.annotations.is_empty() {
        out.push_str(&format!(
            "annotations: {}\n",
            annotations_text(&ins.annotations)
        ));
    }
    let mut failures = Vec::new();
    let descriptors: Vec<_> = ins.entries.iter().map(|e| e.descriptor.clone()).collect();
    let grouped = crate::attest::group(&descriptors);
    let mut order: Vec<(usize, bool)> = Vec::new();
    for (i, atts) in &grouped.images {
        order.push((*i, false));
        order.extend(atts.iter().map(|&j| (j, true)));
    }
    order.extend(grouped.orphans.iter().map(|&j| (j, true)));
    let rows: Vec<[String; 7]> = order
        .into_iter()
        .map(|(i, attestation)| {
            let e = &ins.entries[i];
            let got = details.as_ref().and_then(|v| v.get(i));
            let d = got.and_then(|r| r.as_ref().ok());
            let platform = if attestation {
                "└ attestation".to_string()
            } else {
                super::details::entry_platform(e, d).display()
            };
            if let Some(Err(err)) = got {
                failures.push(format!(
                    "{platform} ({}): {err}",
                    e.descriptor.digest.short()
                ));
            }
            let dash = || "-".to_string();
            if attestation {
                return [
                    platform,
                    e.descriptor.digest.to_string(),
                    d.map_or_else(
                        || "attestation".to_string(),
                        |d| crate::text::attestation_kinds(d.layers()),
                    ),
                    d.map_or_else(dash, |d| crate::text::human_size(d.size())),
                    d.map_or_else(dash, |d| d.layers().len().to_string()),
                    dash(),
                    String::new(),
                ];
            }
            [
                platform,
                e.descriptor.digest.to_string(),
                media::Kind::from_media_type(&e.descriptor.media_type)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| e.descriptor.media_type.clone()),
                d.map_or_else(dash, |d| crate::text::human_size(d.size())),
                d.map_or_else(dash, |d| d.layers().len().to_string()),
                d.and_then(|d| d.config.created_label())
                    .unwrap_or_else(dash),
                annotations_text(&e.descriptor.annotations),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "PLATFORM",
            "DIGEST",
            "TYPE",
            "SIZE",
            "LAYERS",
            "CREATED",
            "ANNOTATIONS",
        ],
        &rows,
    ));
    for f in failures {
        out.push_str(&format!("details of {}\n", inert(&f)));
    }
    out
}

pub fn annotations_text(m: &std::collections::BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{}={}", inert(k), inert(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A plain left-aligned table; every cell is made terminal-inert.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| inert(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cols: Vec<&str>| {
        let n = cols.len();
        for (i, c) in cols.into_iter().enumerate() {
            out.push_str(c);
            if i + 1 < n {
                for _ in c.chars().count()..widths[i] + 2 {
                    out.push(' ');
                }
            }
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    };
    line(&mut out, header.to_vec());
    for r in &cells {
        line(&mut out, r.iter().map(String::as_str).collect());
    }
    out
}

/// `diff`: one row per platform with its status, and a summary line.
pub fn diff_table(c: &Comparison) -> String {
    let mut out = sides_header(c);
    let with_att = c
        .rows
        .iter()
        .any(|r| r.attestations != AttestationStatus::None);
    let digest = |s: &Option<crate::ops::DiffSide>| {
        s.as_ref()
            .map(|s| s.digest.to_string())
            .unwrap_or_else(|| "-".into())
    };
    let rows: Vec<[String; 6]> = c
        .rows
        .iter()
        .map(|r| {
            [
                r.platform.display(),
                r.status.label().to_string(),
                or_dash(r.why()),
                if with_att {
                    r.attestations.label().to_string()
                } else {
                    String::new()
                },
                digest(&r.a),
                digest(&r.b),
            ]
        })
        .collect();
    let mut t = table(
        &[
            "PLATFORM",
            "STATUS",
            "WHY",
            "ATTESTATIONS",
            "DIGEST A",
            "DIGEST B",
        ],
        &rows,
    );
    if !with_att {
        // The column is dropped when no list has attestations.
        t = table(
            &["PLATFORM", "STATUS", "WHY", "DIGEST A", "DIGEST B"],
            &rows
                .iter()
                .map(|r| {
                    [
                        r[0].clone(),
                        r[1].clone(),
                        r[2].clone(),
                        r[4].clone(),
                        r[5].clone(),
                    ]
                })
                .collect::<Vec<_>>(),
        );
    }
    out.push_str(&t);
    out.push_str(&c.summary());
    out.push('\n');
    out
}

fn or_dash(s: String) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

/// `A: label digest` and `B: …`.
fn sides_header(c: &Comparison) -> String {
    let d =
        |x: &Option<crate::digest::Digest>| x.as_ref().map(|d| d.to_string()).unwrap_or_default();
    format!(
        "A: {} {}\nB: {} {}\n",
        inert(&c.a_label),
        d(&c.a_digest),
        inert(&c.b_label),
        d(&c.b_digest)
    )
}

/// `diff --format json`: both sides, one object per platform, the counts, and whether the
/// two differ (as the exit code says).
pub fn diff_json(c: &Comparison, strict: bool) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = DiffStatus::ALL
        .iter()
        .map(|&s| {
            // The kind as its JSON value names it (`format-only`).
            let name = json!(s).as_str().unwrap_or_default().to_string();
            (name, json!(c.count(s)))
        })
        .collect();
    let v = json!({
        "a": {"label": c.a_label, "digest": c.a_digest},
        "b": {"label": c.b_label, "digest": c.b_digest},
        "platforms": c.rows.iter().map(|r| {
            let mut o = row_json(r);
            o["config_fields"] = json!(r.fields());
            o["totals"] = json!(r.detail.as_ref().map(|d| &d.totals));
            o
        }).collect::<Vec<_>>(),
        "counts": counts,
        "attestations": c.attestations,
        "differs": c.differs(strict),
    });
    pretty(&v)
}

fn side_json(s: &Option<crate::ops::DiffSide>) -> serde_json::Value {
    match s {
        Some(s) => json!({"digest": s.digest, "media_type": s.media_type, "size": s.size}),
        None => serde_json::Value::Null,
    }
}

fn row_json(r: &DiffRow) -> serde_json::Value {
    json!({
        "platform": r.platform.display(),
        "os": r.platform.os,
        "architecture": r.platform.architecture,
        "variant": r.platform.variant,
        "os_version": r.platform.os_version,
        "status": r.status,
        "a": side_json(&r.a),
        "b": side_json(&r.b),
        "attestations": r.attestations,
        "problem": r.problem,
    })
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `diff --platform P --format json`: the row, its layers side by side, the changed config
/// fields and the totals.
pub fn platform_diff_json(c: &Comparison, r: &DiffRow) -> String {
    let mut o = row_json(r);
    o["a"]["label"] = json!(c.a_label);
    o["b"]["label"] = json!(c.b_label);
    o["layers"] = json!(r.detail.as_ref().map(|d| &d.layers));
    o["config"] = json!(r.detail.as_ref().map(|d| &d.config));
    o["totals"] = json!(r.detail.as_ref().map(|d| &d.totals));
    pretty(&o)
}

/// `diff --platform P`: the layers side by side (aligned by digest, then by position), the
/// config fields that changed, the totals.
pub fn platform_diff_text(c: &Comparison, r: &DiffRow) -> String {
    let mut out = sides_header(c);
    let why = r.why();
    out.push_str(&format!(
        "platform {}: {}{}\n",
        inert(&r.platform.display()),
        r.status.label(),
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", inert(&why))
        }
    ));
    if r.attestations != AttestationStatus::None {
        out.push_str(&format!("attestations: {}\n", r.attestations.label()));
    }
    let Some(d) = &r.detail else {
        return out;
    };
    out.push_str("\nLayers\n");
    let cell = |l: &Option<crate::ops::LayerInfo>, f: &dyn Fn(&crate::ops::LayerInfo) -> String| {
        l.as_ref().map(f).unwrap_or_else(|| "-".into())
    };
    let rows: Vec<[String; 8]> = d
        .layers
        .iter()
        .map(|l| {
            [
                cell(&l.a, &|x| x.index.to_string()),
                cell(&l.b, &|x| x.index.to_string()),
                l.kind.label().to_string(),
                cell(&l.a, &|x| human_size(x.size)),
                cell(&l.b, &|x| human_size(x.size)),
                cell(&l.a, &|x| x.digest.short()),
                cell(&l.b, &|x| x.digest.short()),
                l.b.as_ref()
                    .or(l.a.as_ref())
                    .and_then(|x| x.step.clone())
                    .map(|s| crate::text::ellipsize(&s, 60).into_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "A", "B", "LAYER", "SIZE A", "SIZE B", "DIGEST A", "DIGEST B", "MADE BY",
        ],
        &rows,
    ));
    out.push_str("\nConfig\n");
    if d.config.is_empty() {
        out.push_str("(no field changed)\n");
    }
    for ch in &d.config {
        out.push_str(&format!("{}:\n", ch.field.label()));
        for x in &ch.a {
            out.push_str(&format!("  - {}\n", inert(x)));
        }
        for x in &ch.b {
            out.push_str(&format!("  + {}\n", inert(x)));
        }
    }
    let t = &d.totals;
    out.push_str(&format!(
        "\nTotals\nlayers: {}\nsize: A {}, B {}\nadded {}, removed {}; a host with A pulls {} to run B\n",
        t.layers_line(),
        human_size(t.size_a),
        human_size(t.size_b),
        human_size(t.bytes_added),
        human_size(t.bytes_removed),
        human_size(t.pull_for_b)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns() {
        let t = table(&["A", "BB"], &[["xyz".into(), "1".into()]]);
        assert_eq!(t, "A    BB\nxyz  1\n");
    }
}
