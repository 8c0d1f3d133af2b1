//! What the browser downloads for the list page: every /pkg/ asset the page names (and the wasm
//! its script loads), raw and compressed as the console's compression layer would send it.

use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    pub file: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

fn gzip(bytes: &[u8]) -> Result<u64, String> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(e.finish().map_err(|e| e.to_string())?.len() as u64)
}

fn brotli(bytes: &[u8]) -> Result<u64, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out.len() as u64)
}

/// The files a browser fetched (`pkg/...`, relative to the site root), measured.
pub fn fetched(files: &[String], site_root: &Path) -> Result<Vec<Asset>, String> {
    if !files.iter().any(|f| f.ends_with(".wasm")) {
        return Err(format!("the browser fetched no wasm: {files:?}"));
    }
    measure(files, site_root)
}

/// The `/pkg/...` files `html` refers to, plus the `.wasm` beside each `.js`: what the page
/// loads when no browser could be asked.
pub fn assets(html: &str, site_root: &Path) -> Result<Vec<Asset>, String> {
    let mut files: Vec<String> = Vec::new();
    for (i, _) in html.match_indices("/pkg/") {
        let rest = &html[i + 1..];
        let end = rest
            .find(|c: char| c == '"' || c == '\'' || c == ')' || c.is_whitespace())
            .unwrap_or(rest.len());
        let file = rest[..end].to_string();
        if !files.contains(&file) {
            files.push(file);
        }
    }
    for f in files.clone() {
        if let Some(stem) = f.strip_suffix(".js") {
            let wasm = format!("{stem}.wasm");
            let bg = format!("{stem}_bg.wasm");
            for w in [wasm, bg] {
                if site_root.join(&w).exists() && !files.contains(&w) {
                    files.push(w);
                }
            }
        }
    }
    if !files.iter().any(|f| f.ends_with(".wasm")) {
        return Err(format!(
            "the page names no wasm under {}: {files:?}",
            site_root.display()
        ));
    }
    measure(&files, site_root)
}

fn measure(files: &[String], site_root: &Path) -> Result<Vec<Asset>, String> {
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(site_root.join(f))
                .map_err(|e| format!("{}: {e}", site_root.join(f).display()))?;
            Ok(Asset {
                file: f.clone(),
                raw: bytes.len() as u64,
                gzip: gzip(&bytes)?,
                brotli: brotli(&bytes)?,
            })
        })
        .collect()
}
