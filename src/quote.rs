//! Showing what a user wrote in a message: names, references, values and lines of a file.
//!
//! A message that quotes a string must show every character of it, or `unknown team "x" (did you
//! mean "x"?)` can print two strings that look the same but differ by a zero-width space, and a
//! pasted bidi control can reorder the rest of the terminal line. [`quoted`] and [`escaped`]
//! write such characters as Rust escapes (`\u{200b}`, `\n`), the way `{:?}` does, so the messages
//! that already used `{:?}` read the same. The character classes are also what validation refuses
//! in names (`scenario::validate`).

/// Most characters of a user string a message shows; longer ones are cut with "…", so that a
/// pasted megabyte is not echoed back. As long as the longest name a scenario may define
/// (`scenario::validate::MAX_LABEL_LEN`), so a valid name is always shown whole.
pub const SHOWN_CHARS: usize = 64;

/// `text` in double quotes, with invisible characters, `"` and `\` escaped, cut after
/// [`SHOWN_CHARS`] characters: `"x\u{200b}"`.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    push_escaped(&mut out, clipped(text), true);
    if clipped(text).len() < text.len() {
        out.push('…');
    }
    out.push('"');
    out
}

/// `text` with invisible characters escaped (not `"` or `\`), for messages that show a string
/// unquoted, such as a path (`teams.x\u{200b}.headcount`) or a name after a colon; not cut.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, false);
    out
}

/// The first [`SHOWN_CHARS`] characters of `text`.
fn clipped(text: &str) -> &str {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn push_escaped(out: &mut String, text: &str, quotes: bool) {
    for ch in text.chars() {
        match ch {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '"' | '\\' if quotes => {
                out.push('\\');
                out.push(ch);
            }
            _ if is_invisible(ch) => out.push_str(&escape(ch)),
            _ => out.push(ch),
        }
    }
}

/// `ch` as a Rust escape: `\u{200b}`.
pub fn escape(ch: char) -> String {
    format!("\\u{{{:x}}}", u32::from(ch))
}

/// Whether `ch` does not show as itself on a terminal or in a chart: a control character, a
/// format or default-ignorable character ([`is_format_or_ignorable`]), a noncharacter, or
/// whitespace other than the ordinary space (a no-break space looks like a space but is not one).
pub fn is_invisible(ch: char) -> bool {
    ch.is_control()
        || is_format_or_ignorable(ch)
        || is_noncharacter(ch)
        || (ch.is_whitespace() && ch != ' ')
}

/// Unicode noncharacters (U+FDD0..U+FDEF, and the last two code points of every plane): XML
/// refuses U+FFFE and U+FFFF, and none of them belongs in a name.
pub fn is_noncharacter(ch: char) -> bool {
    let u = u32::from(ch);
    (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// Whether `ch` is a format character (general category Cf) or a default-ignorable code point:
/// characters that a terminal or chart draws as nothing (zero-width spaces and joiners, soft
/// hyphens, bidi embeddings, overrides, isolates and marks, variation selectors, tag characters,
/// Hangul fillers and the code points reserved to be ignorable).
///
/// Tabulated by hand from Unicode 17.0.0: the union of `Default_Ignorable_Code_Point` in
/// DerivedCoreProperties-17.0.0.txt (4,174 code points) and general category `Cf` in
/// DerivedGeneralCategory-17.0.0.txt (170 code points, most of them also default-ignorable). No
/// crate offers both: `unicode-properties` has the general category only. Both sets are stable:
/// `Default_Ignorable_Code_Point` last changed in Unicode 14.0 (U+180F), `Cf` in 15.0
/// (U+13439..U+1343F).
pub fn is_format_or_ignorable(ch: char) -> bool {
    let u = u32::from(ch);
    FORMAT_OR_IGNORABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < u {
                std::cmp::Ordering::Less
            } else if lo > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Inclusive ranges, sorted and disjoint: Default_Ignorable_Code_Point ∪ Cf (Unicode 17.0.0).
/// Each is marked DI (default-ignorable, and so in the derived property), Cf, or both.
const FORMAT_OR_IGNORABLE: [(u32, u32); 32] = [
    (0x00AD, 0x00AD),   // DI Cf   SOFT HYPHEN
    (0x034F, 0x034F),   // DI      COMBINING GRAPHEME JOINER
    (0x0600, 0x0605),   //    Cf   ARABIC NUMBER SIGN..ARABIC NUMBER MARK ABOVE
    (0x061C, 0x061C),   // DI Cf   ARABIC LETTER MARK
    (0x06DD, 0x06DD),   //    Cf   ARABIC END OF AYAH
    (0x070F, 0x070F),   //    Cf   SYRIAC ABBREVIATION MARK
    (0x0890, 0x0891),   //    Cf   ARABIC POUND MARK ABOVE..ARABIC PIASTRE MARK ABOVE
    (0x08E2, 0x08E2),   //    Cf   ARABIC DISPUTED END OF AYAH
    (0x115F, 0x1160),   // DI      HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),   // DI      KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
    (0x180B, 0x180F),   // DI (Cf U+180E) MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
    (0x200B, 0x200F),   // DI Cf   ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),   // DI Cf   LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x206F),   // DI (Cf but U+2065) WORD JOINER..NOMINAL DIGIT SHAPES
    (0x3164, 0x3164),   // DI      HANGUL FILLER
    (0xFE00, 0xFE0F),   // DI      VARIATION SELECTOR-1..VARIATION SELECTOR-16
    (0xFEFF, 0xFEFF),   // DI Cf   ZERO WIDTH NO-BREAK SPACE (byte order mark)
    (0xFFA0, 0xFFA0),   // DI      HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),   // DI      reserved
    (0xFFF9, 0xFFFB),   //    Cf   INTERLINEAR ANNOTATION ANCHOR..TERMINATOR
    (0x110BD, 0x110BD), //    Cf   KAITHI NUMBER SIGN
    (0x110CD, 0x110CD), //    Cf   KAITHI NUMBER SIGN ABOVE
    (0x13430, 0x1343F), //    Cf   EGYPTIAN HIEROGLYPH VERTICAL JOINER..END WALLED ENCLOSURE
    (0x1BCA0, 0x1BCA3), // DI Cf   SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP
    (0x1D173, 0x1D17A), // DI Cf   MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE
    (0xE0000, 0xE0000), // DI      reserved
    (0xE0001, 0xE0001), // DI Cf   LANGUAGE TAG
    (0xE0002, 0xE001F), // DI      reserved
    (0xE0020, 0xE007F), // DI Cf   TAG SPACE..CANCEL TAG
    (0xE0080, 0xE00FF), // DI      reserved
    (0xE0100, 0xE01EF), // DI      VARIATION SELECTOR-17..VARIATION SELECTOR-256
    (0xE01F0, 0xE0FFF), // DI      reserved
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_disjoint() {
        assert!(FORMAT_OR_IGNORABLE.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(FORMAT_OR_IGNORABLE.iter().all(|&(lo, hi)| lo <= hi));
        // 4,174 default-ignorable code points and the 32 format characters that are not.
        let total: u32 = FORMAT_OR_IGNORABLE
            .iter()
            .map(|&(lo, hi)| hi - lo + 1)
            .sum();
        assert_eq!(total, 4174 + 32);
    }

    #[test]
    fn invisible_characters_are_recognised() {
        for ch in [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{061c}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{2060}',
            '\u{2064}',
            '\u{feff}',
            '\u{00ad}',
            '\u{180e}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{fe0f}',
            '\u{3164}',
        ] {
            assert!(is_format_or_ignorable(ch), "U+{:04X}", u32::from(ch));
            assert!(is_invisible(ch), "U+{:04X}", u32::from(ch));
        }
        for ch in [
            'a',
            'é',
            '–',
            '✓',
            '£',
            ' ',
            '\u{ffFD}',
            '\u{1f600}',
            '\u{2010}',
        ] {
            assert!(!is_format_or_ignorable(ch), "U+{:04X}", u32::from(ch));
            assert!(!is_invisible(ch), "U+{:04X}", u32::from(ch));
        }
        // Whitespace other than the space, controls and noncharacters are invisible too.
        for ch in [
            '\u{a0}', '\u{2028}', '\u{3000}', '\u{85}', '\t', '\u{7}', '\u{ffff}',
        ] {
            assert!(is_invisible(ch), "U+{:04X}", u32::from(ch));
        }
        assert!(is_noncharacter('\u{10FFFF}') && is_noncharacter('\u{1FFFE}'));
        assert!(!is_noncharacter('\u{FFFD}') && !is_noncharacter('a'));
    }

    #[test]
    fn strings_are_shown_with_invisible_characters_escaped() {
        assert_eq!(quoted("x\u{200b}"), "\"x\\u{200b}\"");
        assert_eq!(quoted("x"), "\"x\"");
        // As `{:?}` writes them, for the messages that used it.
        for s in [
            "assess\nment",
            "SOC\u{b}CT",
            "hotline\u{ffff}",
            "a\tb\r",
            "say \"hi\" \\o/",
        ] {
            assert_eq!(quoted(s), format!("{s:?}"));
        }
        assert_eq!(quoted("\u{202e}abc"), "\"\\u{202e}abc\"");
        assert_eq!(quoted("no\u{a0}break"), "\"no\\u{a0}break\"");
        // Unquoted: quotes and backslashes stay as they are.
        assert_eq!(escaped("teams.x\u{200b}.\"a\""), "teams.x\\u{200b}.\"a\"");
        // Cut after 64 characters.
        let long = "é".repeat(100);
        assert_eq!(quoted(&long), format!("\"{}…\"", "é".repeat(64)));
        assert_eq!(quoted(&"é".repeat(64)), format!("\"{}\"", "é".repeat(64)));
    }
}
