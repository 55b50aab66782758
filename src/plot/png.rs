//! PNG copies of the charts (`--png`), for slides and documents that take no SVG: each chart's
//! SVG rendered in Rust by resvg at [`SCALE`] times its size (1920 pixels wide for the 960-pixel
//! charts), on white.
//!
//! The renderer is handed the embedded DejaVu Sans itself and nothing else: no system font is
//! looked up (a CI machine has none), so a chart's text is always drawn, and drawn in the font it
//! was laid out with. resvg does not read the `@font-face` inside the SVG; the text elements name
//! `DejaVu Sans` after the subset's family ([`super::font`]), and that is the family found.
//!
//! The same binary gives the same PNG bytes for the same SVG; PNGs are not part of the promise
//! that charts are the same on every platform (float rounding in the rasteriser may differ).

use super::PlotError;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// How many PNG pixels per SVG pixel: 2, so that a chart stays sharp on a high-density screen or
/// projected full width.
pub const SCALE: f32 = 2.0;

/// The one font the renderer knows, loaded once per process.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(super::FONT_BYTES.to_vec());
        // A generic family in a chart (`sans-serif`) means the embedded font too.
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// The family name inside the embedded font file, which the text elements name.
const FAMILY: &str = "DejaVu Sans";

/// The name of the PNG beside chart `svg_name` (`caseload.svg` → `caseload.png`).
pub fn png_name(svg_name: &str) -> String {
    match svg_name.strip_suffix(".svg") {
        Some(stem) => format!("{stem}.png"),
        None => format!("{svg_name}.png"),
    }
}

/// Renders one chart's SVG (`file` names it in errors) as PNG bytes at [`SCALE`] times its size.
pub fn render(svg: &[u8], file: &str) -> Result<Vec<u8>, PlotError> {
    let err = |message: String| PlotError::Png {
        file: file.to_string(),
        message,
    };
    let options = usvg::Options {
        font_family: FAMILY.to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg, &options).map_err(|e| err(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).round() as u32,
        (size.height() * SCALE).round() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| err(format!("cannot make an image of {w} x {h} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| err(e.to_string()))
}

/// The PNG of every chart among `files` (those named `*.svg`), by name, in their order.
pub fn png_files(files: &[(String, Vec<u8>)]) -> Result<Vec<(String, Vec<u8>)>, PlotError> {
    use rayon::prelude::*;
    files
        .par_iter()
        .filter(|(name, _)| name.ends_with(".svg"))
        .map(|(name, svg)| Ok((png_name(name), render(svg, name)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small chart with dark text on white at a known place.
    fn chart() -> Vec<u8> {
        let mut buf = String::new();
        {
            use plotters::prelude::*;
            let root = SVGBackend::with_string(&mut buf, (200, 60)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            super::super::register_font().unwrap();
            root.draw(&Text::new(
                "█████",
                (10, 10),
                (super::super::FONT, 30).into_font().color(&BLACK),
            ))
            .unwrap();
            root.present().unwrap();
        }
        super::super::font::embed(&buf, "test")
            .unwrap()
            .into_bytes()
    }

    #[test]
    fn a_png_is_the_same_bytes_twice_twice_the_size_and_draws_its_text() {
        let svg = chart();
        let a = render(&svg, "t.svg").unwrap();
        let b = render(&svg, "t.svg").unwrap();
        assert_eq!(a, b);
        let pixmap = tiny_skia::Pixmap::decode_png(&a).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (400, 120));
        // Full blocks from x = 10 to about 10 + 5 × 18 SVG pixels, y = 10 to 40: dark only if
        // the font was found (with no font, resvg draws no text at all).
        let px = pixmap.pixel(2 * 40, 2 * 22).unwrap();
        assert!(px.red() < 60 && px.green() < 60 && px.blue() < 60, "{px:?}");
        let corner = pixmap.pixel(2, 2).unwrap();
        assert!(corner.red() > 250, "{corner:?}");
    }

    #[test]
    fn png_names_follow_the_charts() {
        assert_eq!(png_name("caseload.svg"), "caseload.png");
        let files = vec![
            ("a.svg".to_string(), chart()),
            ("summary.json".to_string(), b"{}".to_vec()),
        ];
        let pngs = png_files(&files).unwrap();
        assert_eq!(pngs.len(), 1);
        assert_eq!(pngs[0].0, "a.png");
    }

    #[test]
    fn a_broken_svg_is_an_error_naming_the_file() {
        let e = render(b"<svg", "bad.svg").unwrap_err();
        assert!(matches!(e, PlotError::Png { ref file, .. } if file == "bad.svg"));
    }
}
