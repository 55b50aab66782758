//! The manifest a results directory carries: the SHA-256 of every file in it, written as the last
//! key of its main JSON file (`summary.json`, `comparison.json`, `sensitivity.json` or
//! `solution.json`), which seals itself too.
//!
//! ```text
//!   "manifest": {
//!     "files": { "daily.csv": "<sha-256>", "scenario.toml": "<sha-256>", ... },
//!     "sha256": "<sha-256 of this file's bytes with this value set to 64 zeros>"
//!   }
//! }
//! ```
//!
//! Why: `vetsim plot` (and later `merge` and the report) rebuild from a directory's files alone,
//! and a file cut at a line boundary, copied from another run or edited by hand can still parse.
//! With the manifest every input is checked byte for byte before it is used, and a directory whose
//! main file is missing or unsealed (an interrupted in-place replacement, results of an older
//! version) is refused rather than read as mixed results. The manifest is made last, from the
//! bytes as staged, so it describes exactly what was written.

use std::collections::BTreeMap;

/// The name of the copy of the scenario as run (exact bytes) in every results directory.
pub const SCENARIO_COPY: &str = "scenario.toml";

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 computed while bytes are written through it (for `replications.csv`, which is never
/// held whole in memory).
pub struct HashingWriter<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: std::io::Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        use sha2::Digest;
        HashingWriter {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    /// The writer and the hex digest of everything written through it.
    pub fn finish(self) -> (W, String) {
        use sha2::Digest;
        (self.inner, hex(&self.hasher.finalize()))
    }
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The 64 zeros the seal's own digest stands in for while it is computed.
const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The bytes a sealed file ends with after its digest: the closing quote, the manifest's brace
/// (indented two spaces, as `serde_json`'s pretty printer writes it) and the file's.
const TAIL: &str = "\"\n  }\n}\n";
/// What stands just before the digest.
const HEAD: &str = "\"sha256\": \"";

#[derive(serde::Serialize)]
struct ManifestOut<'a> {
    files: &'a BTreeMap<String, String>,
    sha256: &'a str,
}

/// Appends the manifest of `files` (name → SHA-256) as the last key of `json`, a pretty-printed
/// JSON object ending in `}` and a newline as every vetsim main file does, and seals it.
///
/// # Panics
/// If `json` is not such an object (a programming error: every caller passes `serde_json`'s
/// pretty output of a struct).
pub fn seal(json: &[u8], files: &BTreeMap<String, String>) -> Vec<u8> {
    let body = json
        .strip_suffix(b"\n}\n")
        .expect("a pretty-printed JSON object ending in a newline");
    let manifest = serde_json::to_string_pretty(&ManifestOut {
        files,
        sha256: ZEROS,
    })
    .expect("the manifest serialises");
    let mut out = Vec::with_capacity(json.len() + manifest.len() + 64);
    out.extend_from_slice(body);
    out.extend_from_slice(b",\n  \"manifest\": ");
    // Indented one level, as a member of the top-level object.
    out.extend_from_slice(manifest.replace('\n', "\n  ").as_bytes());
    out.extend_from_slice(b"\n}\n");
    debug_assert!(out.ends_with(format!("{HEAD}{ZEROS}{TAIL}").as_bytes()));
    let at = out.len() - TAIL.len() - ZEROS.len();
    let digest = sha256_hex(&out);
    out[at..at + ZEROS.len()].copy_from_slice(digest.as_bytes());
    out
}

/// Why a main file's seal does not hold; the caller names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "it carries no manifest (written by vetsim before 0.3, or not by vetsim): run the scenario again"
    )]
    Missing,
    #[error("its manifest is malformed: {0}")]
    Malformed(String),
    #[error(
        "it was changed after vetsim wrote it (its SHA-256 does not match the one it was sealed with)"
    )]
    Changed,
}

/// Checks the seal of a main file and returns its manifest's files (name → SHA-256).
pub fn unseal(bytes: &[u8]) -> Result<BTreeMap<String, String>, SealError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| SealError::Malformed(e.to_string()))?;
    let Some(manifest) = value.get("manifest") else {
        return Err(SealError::Missing);
    };
    let digest = manifest
        .get("sha256")
        .and_then(|d| d.as_str())
        .ok_or_else(|| SealError::Malformed("no manifest.sha256".into()))?;
    if digest.len() != 64
        || !digest
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(SealError::Malformed(
            "manifest.sha256 is not 64 lowercase hex digits".into(),
        ));
    }
    let ending = format!("{HEAD}{digest}{TAIL}");
    if !bytes.ends_with(ending.as_bytes()) {
        return Err(SealError::Malformed(
            "the manifest is not the last key of the file, as vetsim writes it".into(),
        ));
    }
    let mut zeroed = bytes.to_vec();
    let at = bytes.len() - TAIL.len() - ZEROS.len();
    zeroed[at..at + ZEROS.len()].copy_from_slice(ZEROS.as_bytes());
    if sha256_hex(&zeroed) != digest {
        return Err(SealError::Changed);
    }
    let files = manifest
        .get("files")
        .and_then(|f| f.as_object())
        .ok_or_else(|| SealError::Malformed("no manifest.files".into()))?;
    files
        .iter()
        .map(|(name, d)| match d.as_str() {
            Some(d) => Ok((name.clone(), d.to_string())),
            None => Err(SealError::Malformed(format!(
                "manifest.files.{name} is not a digest"
            ))),
        })
        .collect()
}

/// The file without its manifest, as it was before [`seal`] (to seal it again with new digests).
pub fn unsealed(bytes: &[u8]) -> Option<Vec<u8>> {
    // The manifest is the last key; "\n" cannot occur raw inside a JSON string, so the last
    // occurrence is the manifest's own.
    let marker = b",\n  \"manifest\": {";
    let at = bytes.windows(marker.len()).rposition(|w| w == marker)?;
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(b"\n}\n");
    Some(out)
}

/// Whether a file of a results directory is an input that others read (data: JSON, CSV, the
/// scenario copy) rather than a drawing made from them (charts), which `plot` redraws and
/// `plot --check` compares.
pub fn is_data(name: &str) -> bool {
    name.ends_with(".json") || name.ends_with(".csv") || name.ends_with(".toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(v: &serde_json::Value) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(v).unwrap();
        b.push(b'\n');
        b
    }

    #[test]
    fn a_sealed_file_checks_and_any_change_is_found() {
        let json = pretty(&serde_json::json!({"meta": {"seed": 1}, "metrics": [1, 2]}));
        let mut files = BTreeMap::new();
        files.insert("daily.csv".to_string(), sha256_hex(b"a,b\n"));
        files.insert("scenario.toml".to_string(), sha256_hex(b"name = 'x'\n"));
        let sealed = seal(&json, &files);
        // Still the same JSON, plus the manifest, as the last key.
        let v: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        assert_eq!(v["meta"]["seed"], 1);
        assert_eq!(v["manifest"]["files"]["daily.csv"], sha256_hex(b"a,b\n"));
        assert_eq!(unseal(&sealed).unwrap(), files);
        // The digest is that of the file with it set to zeros: recomputed independently.
        let text = String::from_utf8(sealed.clone()).unwrap();
        let digest = v["manifest"]["sha256"].as_str().unwrap();
        let zeroed = text.replace(digest, ZEROS);
        assert_eq!(sha256_hex(zeroed.as_bytes()), digest);
        // A one-character edit anywhere (the seed), a digest edited to match, a cut: refused.
        let edited = text.replacen("\"seed\": 1", "\"seed\": 2", 1);
        assert_eq!(unseal(edited.as_bytes()), Err(SealError::Changed));
        let edited = text.replacen(&sha256_hex(b"a,b\n"), &sha256_hex(b"a,c\n"), 1);
        assert_eq!(unseal(edited.as_bytes()), Err(SealError::Changed));
        assert!(matches!(
            unseal(&sealed[..sealed.len() - 1]),
            Err(SealError::Malformed(_))
        ));
        assert_eq!(unseal(&json), Err(SealError::Missing));
        assert_eq!(unsealed(&sealed).unwrap(), json);
        assert_eq!(unsealed(&json), None);
        assert!(matches!(unseal(b"[1"), Err(SealError::Malformed(_))));
    }

    #[test]
    fn the_hashing_writer_agrees_with_the_digest_of_the_bytes() {
        use std::io::Write;
        let mut w = HashingWriter::new(Vec::new());
        for i in 0..1000 {
            writeln!(w, "row {i}").unwrap();
        }
        let (bytes, digest) = w.finish();
        assert_eq!(digest, sha256_hex(&bytes));
        // The known digest of the empty input (FIPS 180-2).
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
