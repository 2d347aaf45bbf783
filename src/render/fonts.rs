//! Fonts. The decree requires Times New Roman; hoso carries Tinos, a face with the same metrics
//! and full Vietnamese coverage (SIL OFL, see `fonts/OFL.txt`), so that text widths, and with
//! them the rules under the agency name and the tiêu ngữ, come out the same on every machine.
//! Faces are parsed once per process.

use std::sync::OnceLock;

/// The four faces of the body font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Face {
    pub fn of(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (true, false) => Face::Bold,
            (false, true) => Face::Italic,
            (true, true) => Face::BoldItalic,
        }
    }
}

/// Family name written into documents; office suites map it to Liberation Serif or Tinos
/// where Times New Roman is not installed, with identical metrics.
pub const FAMILY: &str = "Times New Roman";

/// The embedded faces' bytes.
pub static EMBEDDED: [(Face, &[u8]); 4] = [
    (Face::Regular, include_bytes!("fonts/Tinos-Regular.ttf")),
    (Face::Bold, include_bytes!("fonts/Tinos-Bold.ttf")),
    (Face::Italic, include_bytes!("fonts/Tinos-Italic.ttf")),
    (
        Face::BoldItalic,
        include_bytes!("fonts/Tinos-BoldItalic.ttf"),
    ),
];

struct Metrics {
    units_per_em: f32,
    face: ttf_parser::Face<'static>,
}

fn metrics(face: Face) -> &'static Metrics {
    static CELLS: [OnceLock<Metrics>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = EMBEDDED.iter().position(|(f, _)| *f == face).unwrap_or(0);
    CELLS[i].get_or_init(|| {
        let face = ttf_parser::Face::parse(EMBEDDED[i].1, 0)
            .expect("the embedded Tinos faces are valid TrueType");
        Metrics {
            units_per_em: f32::from(face.units_per_em()),
            face,
        }
    })
}

/// Width of `text` set in `size_pt` points, in millimetres.
pub fn text_width_mm(text: &str, size_pt: f32, bold: bool, italic: bool) -> f32 {
    let m = metrics(Face::of(bold, italic));
    let units: f32 = text
        .chars()
        .map(|c| {
            m.face
                .glyph_index(c)
                .and_then(|g| m.face.glyph_hor_advance(g))
                .map(f32::from)
                .unwrap_or(m.units_per_em / 2.0)
        })
        .sum();
    units / m.units_per_em * size_pt * 25.4 / 72.0
}

/// True when every char of `text` has a glyph in the face: the test that catches a font
/// without Vietnamese (old Liberation 1.x prints "Tụ" for "Tự" silently).
pub fn covers(face: Face, text: &str) -> bool {
    let m = metrics(face);
    text.chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| m.face.glyph_index(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every letter of Vietnamese, both cases, with all five tone marks.
    pub const VIETNAMESE: &str = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ\
AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬBCDĐEÈẺẼÉẸÊỀỂỄẾỆGHIÌỈĨÍỊKLMNOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢPQRSTUÙỦŨÚỤƯỪỬỮỨỰVXYỲỶỸÝỴ";

    #[test]
    fn every_face_covers_vietnamese() {
        for (face, _) in EMBEDDED {
            assert!(covers(face, VIETNAMESE), "{face:?}");
        }
    }

    #[test]
    fn quoc_hieu_width_matches_times_new_roman() {
        // nd30-detail.md: bold TNR, 13 pt, ≈ 95.7 mm; 12 pt ≈ 88.3 mm.
        let w = text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13.0, true, false);
        assert!((w - 95.7).abs() < 0.5, "{w}");
        let w = text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.0, true, false);
        assert!((w - 88.3).abs() < 0.5, "{w}");
    }
}
