//! The font inside every chart. Each SVG carries the subset of DejaVu Sans that its own text uses,
//! as an `@font-face` with a `data:` URI, so that it renders as it was laid out in any browser or
//! viewer that reads CSS, on a machine without DejaVu Sans (a default Windows or macOS laptop),
//! offline; and it carries the font's copyright and permission notice, which the font's licence
//! asks for in every copy.
//!
//! Each subset has a family name of its own, `vetsim-` and the first 12 hex digits of the SHA-256
//! of its bytes, so that two charts in one page (report.html) never shadow each other's glyphs:
//! one chart's subset lacks characters another's has. The text elements name that family first,
//! then `DejaVu Sans` and `sans-serif` for viewers that ignore `@font-face` (and for the PNG
//! renderer, which is handed the whole font: [`super::png`]).
//!
//! The subset is a function of the set of characters alone (skera uses hash maps with a fixed
//! hasher; the source font's `head` dates are copied, never the clock), so the same chart gives the
//! same bytes on any machine. This module owns no drawing: it rewrites a finished SVG.

use super::PlotError;
use base64::Engine as _;
use read_fonts::collections::IntSet;
use read_fonts::types::{GlyphId, NameId, Tag};
use std::collections::BTreeSet;

/// The copyright and permission notice of DejaVu Sans (the Bitstream Vera licence), written into
/// every chart as an XML comment and shown in report.html. The licence file of the repository,
/// `assets/fonts/DejaVuSans-LICENSE.txt`, holds the same text (a test keeps them together).
pub const NOTICE: &str = include_str!("../../assets/fonts/DejaVuSans-NOTICE.txt");

/// The `font-family` that plotters writes on every text element ([`super::FONT`]), as it appears
/// in the SVG.
fn plotters_family_attr() -> String {
    format!("font-family=\"{}\"", super::FONT)
}

/// Name IDs kept in the subset's `name` table: the copyright (0), the family and style names and
/// version (1 to 6), and the licence text and its address (13, 14), so that the font file carries
/// its notice too.
const NAME_IDS: [u16; 9] = [0, 1, 2, 3, 4, 5, 6, 13, 14];

/// The characters that the text elements of `svg` draw (XML entities decoded), in code point
/// order, with the space (which separates words once a viewer collapses white space).
pub(crate) fn used_chars(svg: &str) -> BTreeSet<char> {
    let mut chars = BTreeSet::from([' ']);
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find("</text>") else {
            break;
        };
        if close > open_end {
            chars.extend(
                unescape(&rest[open_end + 1..close])
                    .chars()
                    .filter(|c| !c.is_control()),
            );
        }
        rest = &rest[close.max(open_end)..];
    }
    chars
}

/// Decodes the five entities that plotters writes (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The subset of `font` (a TrueType font) that holds the glyphs of `chars`: outlines without
/// hinting instructions (browsers do not need them), with kerning (GPOS `kern`: plotters lays
/// text out with the font's kerning, so a browser must kern too for text to end where it was
/// measured to) but no glyph substitution (no ligatures, which plotters does not apply), keeping
/// every table a browser needs.
pub(crate) fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let font = read_fonts::FontRef::new(font).map_err(|e| format!("cannot read the font: {e}"))?;
    let mut unicodes = IntSet::<u32>::empty();
    for c in chars {
        unicodes.insert(u32::from(*c));
    }
    let mut drop_tables = IntSet::<Tag>::empty();
    for t in skera::DEFAULT_DROP_TABLES {
        drop_tables.insert(*t);
    }
    for t in [b"GSUB", b"MATH"] {
        drop_tables.insert(Tag::new(t));
    }
    let mut features = IntSet::<Tag>::empty();
    features.insert(Tag::new(b"kern"));
    let mut name_ids = IntSet::<NameId>::empty();
    for id in NAME_IDS {
        name_ids.insert(NameId::new(id));
    }
    let mut name_languages = IntSet::<u16>::empty();
    name_languages.insert(0x0409); // English (United States), the font's only language
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert(); // kerning in every script
    let plan = skera::Plan::new(
        &IntSet::<GlyphId>::empty(),
        &unicodes,
        &font,
        skera::SubsetFlags::SUBSET_FLAGS_NO_HINTING,
        &drop_tables,
        &scripts,
        &features,
        &name_ids,
        &name_languages,
    );
    skera::subset_font(&font, &plan).map_err(|e| format!("cannot subset the font: {e}"))
}

/// The family name of a subset: `vetsim-` and the first 12 hex digits of its SHA-256.
pub(crate) fn family_of(subset: &[u8]) -> String {
    let hex = crate::report::manifest::sha256_hex(subset);
    format!("vetsim-{}", &hex[..12])
}

/// `svg` (as plotters wrote it) with the subset of the embedded font that its text uses, under a
/// family name of its own, and the font's notice; `chart` names the chart in errors.
pub(crate) fn embed(svg: &str, chart: &'static str) -> Result<String, PlotError> {
    let err = |message: String| PlotError::Draw { chart, message };
    let font = subset(super::FONT_BYTES, &used_chars(svg)).map_err(err)?;
    let family = family_of(&font);
    let open_end = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        .ok_or_else(|| err("the SVG has no <svg> element".into()))?;
    let data = base64::engine::general_purpose::STANDARD.encode(&font);
    let attr = plotters_family_attr();
    let mut out = String::with_capacity(svg.len() + data.len() + NOTICE.len() + 256);
    out.push_str(&svg[..open_end]);
    out.push_str("\n<!--\n");
    out.push_str(NOTICE);
    out.push_str("-->\n<defs><style>@font-face{font-family:\"");
    out.push_str(&family);
    out.push_str("\";src:url(data:font/ttf;base64,");
    out.push_str(&data);
    out.push_str(") format(\"truetype\");}</style></defs>");
    out.push_str(
        &svg[open_end..].replace(&attr, &format!("font-family=\"{family}, {}\"", super::FONT)),
    );
    Ok(out)
}

/// `svg` without what [`embed`] adds before the drawing (the notice and the font), for tests that
/// look at the drawing's text.
#[cfg(test)]
pub(crate) fn drawing_only(svg: &str) -> String {
    match (svg.find("\n<!--\n"), svg.find("</defs>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &svg[..a], &svg[b + "</defs>".len()..]),
        _ => svg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_can_be_an_xml_comment_and_is_the_licence_files() {
        assert!(!NOTICE.contains("--") && !NOTICE.ends_with('-'));
        // Every sentence of the notice is in the licence file (whose lines are wrapped
        // differently): compare the words.
        let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let licence = words(include_str!("../../assets/fonts/DejaVuSans-LICENSE.txt"));
        for para in NOTICE.split("\n\n").skip(1) {
            assert!(licence.contains(&words(para)), "not in the licence: {para}");
        }
    }

    #[test]
    fn used_chars_decode_entities_and_skip_line_breaks() {
        let svg = "<svg><text x=\"1\">\nA &amp; B &lt;€&gt; &quot;&apos;\n</text><rect/><text>z</text></svg>";
        let got: String = used_chars(svg).into_iter().collect();
        assert_eq!(got, " \"&'<>ABz€");
    }

    #[test]
    fn a_subset_is_a_font_that_maps_its_characters_and_is_deterministic() {
        let chars: BTreeSet<char> = "Median 16 working days (P90 29) · – … ≥ 1,000"
            .chars()
            .collect();
        let a = subset(super::super::FONT_BYTES, &chars).unwrap();
        let b = subset(super::super::FONT_BYTES, &chars).unwrap();
        assert_eq!(a, b);
        assert!(a.len() < 40_000, "{} bytes", a.len());
        let face = ttf_parser::Face::parse(&a, 0).unwrap();
        for c in &chars {
            assert!(face.glyph_index(*c).is_some_and(|g| g.0 != 0), "{c:?}");
        }
        // Not in the subset: a character no chart text used.
        assert!(face.glyph_index('Q').is_none_or(|g| g.0 == 0));
        let tables: Vec<String> = face
            .raw_face()
            .table_records
            .into_iter()
            .map(|r| r.tag.to_string())
            .collect();
        for t in [
            "cmap", "hmtx", "glyf", "loca", "head", "hhea", "maxp", "name", "post", "OS/2", "GPOS",
        ] {
            assert!(tables.iter().any(|x| x == t), "no {t} in {tables:?}");
        }
        assert!(!tables.iter().any(|x| x == "GSUB"), "{tables:?}");
        let copyright = face
            .names()
            .into_iter()
            .find(|n| n.name_id == 0)
            .and_then(|n| n.to_string());
        assert!(copyright.is_some_and(|c| c.contains("Bitstream")));
    }

    #[test]
    fn an_embedded_chart_names_its_subset_on_every_text_and_carries_the_notice() {
        let svg = format!(
            "<svg width=\"9\">\n<text x=\"1\" {}>\nAb &amp; c\n</text>\n<text {}>\nd\n</text>\n</svg>\n",
            plotters_family_attr(),
            plotters_family_attr()
        );
        let out = embed(&svg, "test").unwrap();
        assert_eq!(out, embed(&svg, "test").unwrap());
        assert!(out.starts_with("<svg width=\"9\">\n<!--\nDejaVu Sans"));
        assert!(out.contains(NOTICE));
        let b64 = out
            .split("base64,")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap();
        let font = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let family = family_of(&font);
        assert!(out.contains(&format!("@font-face{{font-family:\"{family}\"")));
        assert_eq!(
            out.matches(&format!(
                "font-family=\"{family}, DejaVu Sans, sans-serif\""
            ))
            .count(),
            2
        );
        let face = ttf_parser::Face::parse(&font, 0).unwrap();
        for c in "Ab &cd".chars() {
            assert!(face.glyph_index(c).is_some_and(|g| g.0 != 0), "{c:?}");
        }
        assert_eq!(
            drawing_only(&out),
            svg.replace(
                &plotters_family_attr(),
                &format!("font-family=\"{family}, DejaVu Sans, sans-serif\"")
            )
        );
    }

    #[test]
    fn family_names_differ_with_the_subset() {
        let one = subset(super::super::FONT_BYTES, &"abc".chars().collect()).unwrap();
        let two = subset(super::super::FONT_BYTES, &"abd".chars().collect()).unwrap();
        assert_ne!(family_of(&one), family_of(&two));
        assert!(family_of(&one).starts_with("vetsim-") && family_of(&one).len() == 19);
    }
}
