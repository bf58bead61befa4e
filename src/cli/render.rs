//! The CLI's text output: docker's JSON shapes and our tables. Everything here is pure.

use crate::media::{self, reindent, Descriptor, ListEntry, RawManifest};
use crate::ops::{Comparison, DiffStatus, Inspection};
use crate::reference::Reference;
use crate::sanitize::inert;
use base64::Engine as _;

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
/// platform whose details failed says why under the table).
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
    let rows: Vec<[String; 7]> = ins
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let got = details.as_ref().and_then(|v| v.get(i));
            let d = got.and_then(|r| r.as_ref().ok());
            let platform = super::details::entry_platform(e, d).display();
            if let Some(Err(err)) = got {
                failures.push(format!(
                    "{platform} ({}): {err}",
                    e.descriptor.digest.short()
                ));
            }
            let dash = || "-".to_string();
            [
                platform,
                e.descriptor.digest.to_string(),
                media::Kind::from_media_type(&e.descriptor.media_type)
                    .map(|k| k.label().to_string())
                    .unwrap_or_else(|| e.descriptor.media_type.clone()),
                d.map_or_else(dash, |d| crate::tui::text::human_size(d.size())),
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
    let mut out = format!(
        "A: {} {}\nB: {} {}\n",
        inert(&c.a_label),
        c.a_digest
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        inert(&c.b_label),
        c.b_digest
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default()
    );
    let rows: Vec<[String; 4]> = c
        .rows
        .iter()
        .map(|r| {
            [
                r.platform.display(),
                r.status.label().to_string(),
                r.a.as_ref()
                    .map(|s| s.digest.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.b.as_ref()
                    .map(|s| s.digest.to_string())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    out.push_str(&table(
        &["PLATFORM", "STATUS", "DIGEST A", "DIGEST B"],
        &rows,
    ));
    out.push_str(&format!(
        "{} same, {} changed, {} only in A, {} only in B\n",
        c.count(DiffStatus::Same),
        c.count(DiffStatus::Changed),
        c.count(DiffStatus::OnlyA),
        c.count(DiffStatus::OnlyB)
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
