//! Input normalisation shared by the parsers: what Japanese keyboards and IMEs produce for
//! digits, spaces and dashes.

/// Full-width digits (U+FF10-U+FF19) to ASCII; every other character unchanged.
pub(crate) fn ascii_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
        _ => c,
    }
}

/// Full-width ASCII forms (U+FF01-U+FF5E) to ASCII and the ideographic space to a space, as an
/// IME in full-width mode types them.
pub(crate) fn ascii_form(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Characters people put between groups of digits: hyphen-minus, the Unicode hyphens and dashes
/// U+2010-U+2015, minus signs (U+2212, small and full-width forms), and the katakana
/// prolonged sound mark 'ー' (and its half-width form), which a Japanese IME types for '-'.
/// None of these can be mistaken for a digit. The kanji '一' (one) is deliberately absent: it
/// looks like a dash but is a numeral, so it is refused rather than guessed at.
pub(crate) fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | 'ー' | 'ｰ'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_map_to_ascii() {
        let s: String = "０１２３４５６７８９".chars().map(ascii_digit).collect();
        assert_eq!(s, "0123456789");
        assert_eq!(ascii_digit('a'), 'a');
        assert_eq!(ascii_digit('一'), '一');
    }

    #[test]
    fn full_width_forms_map_to_ascii() {
        let s: String = "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ　"
            .chars()
            .map(ascii_form)
            .collect();
        assert_eq!(s, "taro@example.jp ");
    }

    #[test]
    fn dashes_are_not_digits_and_kanji_one_is_not_a_dash() {
        for c in ['-', '‐', '‑', '‒', '–', '—', '―', '−', '－', 'ー', 'ｰ'] {
            assert!(is_dash(c), "{c:?}");
            assert!(!ascii_digit(c).is_ascii_digit());
        }
        assert!(!is_dash('一'));
    }
}
