//! Keywords of an article's comments against the whole consultation's, by TF-IDF: words that are
//! frequent in the comments on this article and rare in the comments on the others. Chinese is
//! segmented with jieba (its default dictionary); Latin letters and digits make lower-cased words.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;

/// Comments read per side. A drafter opens the page and waits for it: segmenting is linear in the
/// text, so the newest 2,000 comments of the article and of the consultation bound the work
/// (~0.2 s in a release build) however many there are, and recent comments are the ones a
/// drafter has not read yet.
pub const SAMPLE: i64 = 2000;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Words that say nothing about a theme: function words and the vocabulary of every comment.
const STOPWORDS: &[&str] = &[
    "我们", "你们", "他们", "这个", "那个", "这些", "那些", "一个", "没有", "可以", "应当", "应该",
    "进行", "相关", "以及", "或者", "如果", "因为", "所以", "但是", "而且", "对于", "关于", "其中",
    "本条", "该条", "条款", "建议", "意见", "规定", "认为", "希望", "需要", "是否", "已经", "目前",
    "还是", "不是", "就是", "自己", "什么", "怎么", "这样", "一些", "部分", "之间", "方面", "问题",
    "the", "and", "for", "that", "this", "with", "are", "not", "should", "from", "which", "have",
    "has", "its", "into", "than", "their", "there", "these", "those", "will", "would", "been",
    "article", "comment", "suggest",
];

/// The words of a text worth counting: Chinese words of two characters or more, Latin words of
/// three letters or more, lower-cased; no stop words, no numbers.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in JIEBA.cut(text, false) {
        let w = token.word.trim();
        let chars = w.chars().count();
        let cjk = w.chars().all(is_cjk);
        let latin = w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && w.chars().any(|c| c.is_ascii_alphabetic());
        let word = if cjk && chars >= 2 {
            w.to_owned()
        } else if latin && chars >= 3 {
            w.to_ascii_lowercase()
        } else {
            continue;
        };
        if !STOPWORDS.contains(&word.as_str()) {
            out.push(word);
        }
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// The `n` words of `article` (its comments' texts) with the highest TF-IDF against `corpus`
/// (comments of the whole consultation), best first; each word with its score. A word must occur
/// in at least two of the article's comments, so that one comment cannot make a theme.
pub fn top(article: &[String], corpus: &[String], n: usize) -> Vec<(String, f64)> {
    let mut tf: HashMap<String, usize> = HashMap::new();
    let mut seen_in: HashMap<String, usize> = HashMap::new();
    let mut total = 0usize;
    for text in article {
        let ws = words(text);
        total += ws.len();
        let distinct: HashSet<&String> = ws.iter().collect();
        for w in distinct {
            *seen_in.entry(w.clone()).or_default() += 1;
        }
        for w in ws {
            *tf.entry(w).or_default() += 1;
        }
    }
    if total == 0 {
        return Vec::new();
    }
    let mut df: HashMap<String, usize> = HashMap::new();
    for text in corpus {
        let distinct: HashSet<String> = words(text).into_iter().collect();
        for w in distinct {
            if tf.contains_key(&w) {
                *df.entry(w).or_default() += 1;
            }
        }
    }
    let docs = corpus.len() as f64;
    let mut scored: Vec<(String, f64)> = tf
        .into_iter()
        .filter(|(w, _)| seen_in.get(w).copied().unwrap_or(0) >= 2)
        .map(|(w, count)| {
            let d = df.get(&w).copied().unwrap_or(0) as f64;
            let idf = ((1.0 + docs) / (1.0 + d)).ln() + 1.0;
            let score = count as f64 / total as f64 * idf;
            (w, score)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(n);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_segmented_and_latin_words_are_lower_cased() {
        let ws = words("建议明确算法备案的时限，Deep Learning models 需要 2 年。");
        assert!(ws.contains(&"算法".to_owned()), "{ws:?}");
        assert!(ws.contains(&"备案".to_owned()), "{ws:?}");
        assert!(ws.contains(&"deep".to_owned()) && ws.contains(&"models".to_owned()));
        assert!(!ws.contains(&"建议".to_owned()) && !ws.iter().any(|w| w == "2"));
    }

    #[test]
    fn words_frequent_here_and_rare_elsewhere_rank_first() {
        let article: Vec<String> = [
            "人脸识别数据必须单独同意",
            "人脸识别不得默认开启",
            "数据安全很重要",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut corpus = article.clone();
        corpus.extend(
            ["数据安全", "数据出境", "数据分类"]
                .iter()
                .map(|s| (*s).to_owned()),
        );
        let top = top(&article, &corpus, 3);
        assert_eq!(
            top.first().map(|(w, _)| w.as_str()),
            Some("人脸识别"),
            "{top:?}"
        );
        assert!(
            !top.iter().any(|(w, _)| w == "必须"),
            "one comment makes no theme"
        );
    }
}
