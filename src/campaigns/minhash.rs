//! Near-duplicate detection: normalised text → shingles → MinHash signature → LSH bands →
//! each text joins the earlier cluster leader whose estimated Jaccard similarity to it reaches
//! [`THRESHOLD`].
//!
//! Pure functions, no database: [`signature`] turns one text into 128 bytes, [`cluster`] groups
//! signatures. Both are deterministic (fixed seeds, ties broken by position), so clustering the
//! same comments again gives the same groups, and comments added later (at higher positions) never
//! undo a link found before.

/// Hash functions per signature.
pub const HASHES: usize = 64;
/// Hash values per LSH band: a band is 4 × 16 bits, exactly one `u64` key.
pub const ROWS: usize = 4;
/// LSH bands per signature.
pub const BANDS: usize = HASHES / ROWS;
/// Estimated Jaccard similarity of shingle sets from which two comments count as copies.
///
/// Why 0.5: copies of a form letter with punctuation changes normalise to the same text
/// (similarity 1); a few changed words or an added personal sentence leave 0.6–0.9 of a 100–300
/// character letter's shingles shared; genuinely different comments on the same article share
/// their topic's vocabulary but few three-character sequences, below 0.2 in the labelled set. The
/// band layout (16 × 4) puts the LSH curve's midpoint at (1/16)^(1/4) = 0.5 as well: a pair at 0.7
/// becomes a candidate with probability 0.9998, one at 0.3 with 0.12 (and is then rejected).
pub const THRESHOLD: f64 = 0.5;
/// Shingle length in tokens for text that is mostly Chinese (one token per character).
const CJK_SHINGLE: usize = 3;
/// Shingle length in tokens for other text (one token per word).
const WORD_SHINGLE: usize = 2;

/// A comment's MinHash signature: the low 16 bits of each of [`HASHES`] minimum hash values
/// (b-bit MinHash). Two different minima agree on 16 bits with probability 2⁻¹⁶, which shifts the
/// estimate by less than 0.0001.
pub type Signature = [u16; HASHES];

/// One unit of text after normalisation: a CJK character or a word of letters and digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Cjk(char),
    Word(u64),
}

/// Folds full-width forms to ASCII and the ideographic space to a space (the part of NFKC that
/// copy-paste between Chinese and Western input methods changes).
fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether `c` is written without spaces between words: Han, kana, Hangul.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// Splits `text` into tokens: width-folded, lower-cased, punctuation, symbols and white space
/// dropped (they only separate words).
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Option<u64> = None;
    for c in text.chars().map(fold_width) {
        if is_cjk(c) {
            out.extend(word.take().map(Token::Word));
            out.push(Token::Cjk(c));
        } else if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                let h = word.unwrap_or(0xcbf2_9ce4_8422_2325);
                word = Some((h ^ u64::from(u32::from(lower))).wrapping_mul(0x0100_0000_01b3));
            }
        } else {
            out.extend(word.take().map(Token::Word));
        }
    }
    out.extend(word.map(Token::Word));
    out
}

/// The splitmix64 finaliser: a fast, well-mixing bijection on 64 bits.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn token_hash(t: Token) -> u64 {
    match t {
        Token::Cjk(c) => mix(u64::from(u32::from(c))),
        Token::Word(h) => mix(h ^ 0x5851_f42d_4c95_7f2d),
    }
}

/// The hashes of `text`'s shingles (k consecutive tokens: characters for Chinese, words
/// otherwise), possibly repeated; empty when the text has no letters, digits or characters.
pub fn shingles(text: &str) -> Vec<u64> {
    let tokens = tokens(text);
    let cjk = tokens.iter().filter(|t| matches!(t, Token::Cjk(_))).count();
    let k = if cjk * 2 >= tokens.len() {
        CJK_SHINGLE
    } else {
        WORD_SHINGLE
    };
    let hashes: Vec<u64> = tokens.into_iter().map(token_hash).collect();
    if hashes.is_empty() {
        return Vec::new();
    }
    // A text shorter than one shingle is one shingle of all its tokens.
    hashes
        .windows(k.min(hashes.len()))
        .map(|w| {
            mix(w
                .iter()
                .fold(0x2545_f491_4f6c_dd1d_u64, |acc, &h| mix(acc ^ h)))
        })
        .collect()
}

/// The multipliers and offsets of the hash family `h_i(x) = (a_i·x + b_i) >> 32`, drawn once
/// from a fixed seed so that every run and every instance computes the same signatures.
const fn family() -> [(u64, u64); HASHES] {
    let mut out = [(0, 0); HASHES];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut a = state;
        a = (a ^ (a >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        a = (a ^ (a >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        a ^= a >> 31;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut b = state;
        b = (b ^ (b >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        b = (b ^ (b >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        b ^= b >> 31;
        out[i] = (a | 1, b);
        i += 1;
    }
    out
}

const FAMILY: [(u64, u64); HASHES] = family();

/// The MinHash signature of `text`, or `None` when it has nothing to compare (only punctuation,
/// symbols or white space).
pub fn signature(text: &str) -> Option<Signature> {
    let shingles = shingles(text);
    if shingles.is_empty() {
        return None;
    }
    let mut mins = [u32::MAX; HASHES];
    for &s in &shingles {
        for (m, &(a, b)) in mins.iter_mut().zip(FAMILY.iter()) {
            let h = (a.wrapping_mul(s).wrapping_add(b) >> 32) as u32;
            *m = (*m).min(h);
        }
    }
    Some(mins.map(|m| m as u16))
}

/// The estimated Jaccard similarity of the shingle sets behind two signatures.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    agreement(a, b) as f64 / HASHES as f64
}

fn agreement(a: &Signature, b: &Signature) -> usize {
    a.iter().zip(b.iter()).filter(|(x, y)| x == y).count()
}

/// Band `band` of a signature as one key: its four 16-bit values side by side.
fn band_key(sig: &Signature, band: usize) -> u64 {
    sig[band * ROWS..(band + 1) * ROWS]
        .iter()
        .fold(0_u64, |acc, &v| (acc << 16) | u64::from(v))
}

/// Candidate leaders looked at per band bucket: a bucket holding more distinct leaders than this
/// is a degenerate key (texts sharing a common phrase), and the other bands still find the copy.
const BUCKET_CANDIDATES: usize = 8;

/// Groups signatures into clusters of near-copies: each returned group lists positions in
/// `signatures`, ascending, and has at least two members; groups are ordered by their first
/// position. Only signatures with the same `scope` (a consultation) are compared.
///
/// Leader clustering over LSH buckets: signatures are taken in order; each joins the most similar
/// earlier *leader* that shares a band with it and reaches [`THRESHOLD`], or becomes a leader
/// itself. Every member is thus a near-copy of its cluster's first text — unlike linking any two
/// similar texts, which chains A ≈ B ≈ C … until comments that merely share a sentence or two end
/// up in one cluster. Since comments are taken by id, comments added later never change the
/// clusters of earlier ones: clustering again gives the same clusters, grown.
pub fn cluster(scopes: &[i32], signatures: &[Signature]) -> Vec<Vec<u32>> {
    let mut buckets: Vec<std::collections::HashMap<u64, Vec<u32>>> = (0..BANDS)
        .map(|_| std::collections::HashMap::new())
        .collect();
    let mut leader_of: Vec<u32> = Vec::with_capacity(signatures.len());
    let mut candidates: Vec<u32> = Vec::new();
    for (i, (sig, &scope)) in signatures.iter().zip(scopes).enumerate() {
        let scope_key = mix(u64::from(scope as u32) ^ 0x6a09_e667_f3bc_c908);
        let keys: [u64; BANDS] = std::array::from_fn(|b| mix(band_key(sig, b) ^ scope_key));
        candidates.clear();
        for (bucket, key) in buckets.iter().zip(keys.iter()) {
            if let Some(leaders) = bucket.get(key) {
                candidates.extend(leaders.iter().take(BUCKET_CANDIDATES));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let best = candidates
            .iter()
            .map(|&l| (agreement(sig, &signatures[l as usize]), l))
            .filter(|&(score, _)| score as f64 >= THRESHOLD * HASHES as f64)
            .max_by_key(|&(score, l)| (score, std::cmp::Reverse(l)));
        match best {
            Some((_, leader)) => leader_of.push(leader),
            None => {
                leader_of.push(i as u32);
                for (bucket, key) in buckets.iter_mut().zip(keys) {
                    bucket.entry(key).or_default().push(i as u32);
                }
            }
        }
    }
    let mut groups: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for (i, &leader) in leader_of.iter().enumerate() {
        groups.entry(leader).or_default().push(i as u32);
    }
    let mut out: Vec<Vec<u32>> = groups.into_values().filter(|g| g.len() > 1).collect();
    out.sort_unstable_by_key(|g| g[0]);
    out
}

/// The member of `group` closest to the group's consensus: for each hash the value most members
/// share, estimated from up to 256 evenly spread members. For a form letter that is the letter
/// as sent by most, not the copy someone edited.
pub fn representative(signatures: &[Signature], group: &[u32]) -> u32 {
    let step = group.len().div_ceil(256).max(1);
    let sample: Vec<&Signature> = group
        .iter()
        .step_by(step)
        .map(|&i| &signatures[i as usize])
        .collect();
    let mut consensus = [0_u16; HASHES];
    let mut values: Vec<u16> = Vec::with_capacity(sample.len());
    for (h, slot) in consensus.iter_mut().enumerate() {
        values.clear();
        values.extend(sample.iter().map(|s| s[h]));
        values.sort_unstable();
        let (mut best, mut best_run, mut run) = (values[0], 0, 0);
        for (j, &v) in values.iter().enumerate() {
            run = if j > 0 && values[j - 1] == v {
                run + 1
            } else {
                1
            };
            if run > best_run {
                (best, best_run) = (v, run);
            }
        }
        *slot = best;
    }
    let mut chosen = group[0];
    let mut chosen_score = 0;
    for &i in group {
        let score = agreement(&signatures[i as usize], &consensus);
        if score > chosen_score {
            (chosen, chosen_score) = (i, score);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(text: &str) -> Signature {
        signature(text).expect("text with characters")
    }

    #[test]
    fn width_case_punctuation_and_spacing_do_not_matter() {
        let a = sig("建议明确时限和程序，增强可操作性。AI服务提供者应当公开算法的基本原理。");
        let b = sig("建议明确时限和程序,增强可操作性!ＡＩ 服务提供者应当公开算法的基本原理……");
        assert_eq!(a, b);
        assert_eq!(
            sig("The provider SHOULD publish its model card."),
            sig("the provider should publish its   model-card")
        );
    }

    #[test]
    fn text_without_letters_or_characters_has_no_signature() {
        assert!(signature("！！！。。。 ……").is_none());
        assert!(signature("").is_none());
        assert!(signature("同意").is_some(), "a short text is one shingle");
    }

    #[test]
    fn chinese_is_shingled_by_characters_and_english_by_words() {
        assert_eq!(shingles("人工智能").len(), 2);
        assert_eq!(shingles("the draft is fine").len(), 3);
        assert_eq!(
            shingles("第5条的AI服务").len(),
            5,
            "digits and Latin words inside Chinese are tokens"
        );
    }

    #[test]
    fn similarity_estimates_jaccard() {
        // Two sets of 300 shingles sharing 200: Jaccard 200 / 400 = 0.5.
        let base: String = (0..302)
            .map(|i| char::from_u32(0x4E00 + i).expect("han"))
            .collect();
        let other: String = base
            .chars()
            .take(202)
            .chain((0..100).map(|i| char::from_u32(0x6000 + i).expect("han")))
            .collect();
        let s = similarity(&sig(&base), &sig(&other));
        assert!((s - 0.5).abs() < 0.15, "{s}");
        assert_eq!(similarity(&sig(&base), &sig(&base)), 1.0);
    }

    #[test]
    fn copies_cluster_across_a_bucket_and_scopes_stay_apart() {
        let letter = "我们强烈反对第七条关于训练数据留存三年的要求，这会让中小企业承担难以负担的存储成本，建议改为一年。";
        let texts = [
            letter.to_owned(),
            format!("{letter}谢谢！"),
            "完全不同的意见：建议增加对未成年人保护的专门条款，并明确监护人的知情权。".to_owned(),
            letter.replace("强烈", "坚决"),
            letter.to_owned(),
        ];
        let sigs: Vec<Signature> = texts.iter().map(|t| sig(t)).collect();
        assert_eq!(cluster(&[1, 1, 1, 1, 1], &sigs), vec![vec![0, 1, 3, 4]]);
        assert_eq!(
            cluster(&[1, 1, 1, 1, 2], &sigs),
            vec![vec![0, 1, 3]],
            "the copy in another consultation is not compared"
        );
    }

    #[test]
    fn the_representative_is_the_letter_most_copies_share() {
        let letter =
            "建议删除第九条第二款，因为该款与个人信息保护法第十三条存在冲突，执行中会产生歧义。";
        let texts = [
            format!("我是一名律师。{letter}"),
            letter.to_owned(),
            letter.to_owned(),
            format!("{letter}望采纳"),
        ];
        let sigs: Vec<Signature> = texts.iter().map(|t| sig(t)).collect();
        assert_eq!(representative(&sigs, &[0, 1, 2, 3]), 1);
    }
}
