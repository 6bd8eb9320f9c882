//! A proposed replacement text shown against the article: character by character for Chinese,
//! word by word for English, as segments the template marks up (no HTML is built here).

use similar::{ChangeTag, TextDiff};

/// What a run of text is in the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// In both texts.
    Same,
    /// Only in the article.
    Removed,
    /// Only in the proposal.
    Added,
}

/// A run of text with its mark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// How the run differs.
    pub mark: Mark,
    /// The text.
    pub text: String,
}

impl Segment {
    /// Whether the run was removed.
    pub fn is_removed(&self) -> bool {
        self.mark == Mark::Removed
    }

    /// Whether the run was added.
    pub fn is_added(&self) -> bool {
        self.mark == Mark::Added
    }
}

/// Whether Chinese (and full-width) characters outnumber the rest, so characters are the unit of comparison.
pub(crate) fn mostly_cjk(s: &str) -> bool {
    let (cjk, other) =
        s.chars()
            .filter(|c| !c.is_whitespace())
            .fold((0usize, 0usize), |(a, b), c| {
                if ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
                {
                    (a + 1, b)
                } else {
                    (a, b + 1)
                }
            });
    cjk >= other
}

/// Compares `old` with `new`, merging adjacent runs of the same kind.
pub fn compare(old: &str, new: &str) -> Vec<Segment> {
    let diff = if mostly_cjk(old) || mostly_cjk(new) {
        TextDiff::from_chars(old, new)
    } else {
        TextDiff::from_words(old, new)
    };
    let mut out: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let mark = match change.tag() {
            ChangeTag::Equal => Mark::Same,
            ChangeTag::Delete => Mark::Removed,
            ChangeTag::Insert => Mark::Added,
        };
        let text = change.value();
        match out.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(text),
            _ => out.push(Segment {
                mark,
                text: text.to_owned(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| match s.mark {
                Mark::Same => s.text.clone(),
                Mark::Removed => format!("[-{}]", s.text),
                Mark::Added => format!("[+{}]", s.text),
            })
            .collect()
    }

    #[test]
    fn chinese_is_compared_character_by_character() {
        let d = compare("提供者应当在三十日内报告。", "提供者应当在六十日内报告。");
        assert_eq!(render(&d), "提供者应当在[-三][+六]十日内报告。");
        let d = compare("应当备案。", "应当向主管部门备案。");
        assert_eq!(render(&d), "应当[+向主管部门]备案。");
    }

    #[test]
    fn english_is_compared_word_by_word() {
        let d = compare(
            "Providers shall report within thirty days.",
            "Providers shall report within fifteen days.",
        );
        assert_eq!(
            render(&d),
            "Providers shall report within [-thirty][+fifteen] days."
        );
    }

    #[test]
    fn identical_texts_are_one_unchanged_run() {
        assert_eq!(
            compare("相同", "相同"),
            vec![Segment {
                mark: Mark::Same,
                text: "相同".into()
            }]
        );
    }
}
