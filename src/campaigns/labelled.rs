//! The labelled set that measures clustering quality: form letters on one article (第七条,
//! training data) in Chinese and English, each copied with the changes campaigns make — exact
//! copies, punctuation, width and spacing, a personal opening or closing line, a dropped sentence,
//! synonyms, and combinations — and genuinely different comments on the same article, which share
//! its vocabulary but must each stay alone.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::minhash;

const LETTERS_ZH: &[&str] = &[
    "我们坚决反对第七条要求训练数据留存三年的规定。对于中小企业来说，长期保存海量数据意味着高昂的存储成本和更大的泄露风险。建议将留存期限缩短为一年，并允许企业在完成安全评估后提前删除。",
    "强烈支持第七条关于训练数据来源合法性的要求。近年来大量作品被未经授权用于模型训练，创作者的权益得不到保障。恳请起草机关保留这一条款，并增加对权利人的通知义务。",
    "第七条第二款中“必要的标注规则”含义不清，建议明确由谁制定标注规则、规则需要向哪个部门备案，以及未按规则标注的法律后果。否则企业无所适从，监管部门也难以执法。",
    "作为一名家长，我希望第七条能够明确禁止使用未成年人的个人信息训练模型。孩子们在网上留下的照片和文字不应成为企业的免费资源，请在条文中增加专门的保护规定。",
    "建议在第七条中增加训练数据中个人信息的去标识化要求。仅要求来源合法是不够的，还应规定在训练前对个人信息进行去标识化处理，并定期评估重新识别的风险。",
    "第七条规定的数据质量要求过于笼统。“真实、准确、客观、多样”在技术上很难衡量，建议参照国家标准给出可量化的评估指标，并为初创企业设置两年的过渡期。",
    "支持！训练数据必须合法合规，这是底线。希望尽快出台。",
    "我反对第七条。数据留存三年太长了，小公司根本负担不起，建议改成一年。",
];

const LETTERS_EN: &[&str] = &[
    "We strongly oppose the three-year retention requirement for training data in Article 7. Keeping such large datasets for so long creates storage costs that small companies cannot bear and increases the risk of data breaches. We ask the drafters to reduce the period to one year.",
    "Article 7 should explicitly require providers to obtain consent from copyright holders before using their works as training data. Creators deserve to know when and how their work is used. They should be able to opt out at any time.",
    "The phrase labelling rules in Article 7 is too vague. Please clarify who writes the rules, which authority they must be filed with, and what happens when a provider fails to follow them.",
    "I support Article 7. Lawful training data is the foundation of trustworthy AI services, and providers must be held to it.",
];

const DIFFERENT_ZH: &[&str] = &[
    "第七条提到的“合法来源”是否包括公开网页抓取的数据？实践中很多开源数据集都来自网络爬虫，希望条文予以说明。",
    "建议把训练数据的安全评估与现有的数据出境安全评估制度衔接起来，避免企业重复申报。",
    "我是高校研究人员，科研用途的模型训练是否也适用本条？建议对非商业科研活动给予豁免或者简化程序。",
    "第七条只规定了提供者的义务，没有提到数据供应商。建议明确数据交易平台和数据供应商对数据来源的审核责任。",
    "合成数据越来越多地被用于训练，本条是否适用于合成数据？建议增加相应规定。",
    "留存训练数据的目的是便于事后追溯，但三年期限缺乏依据。能否公开确定这一期限的理由和国外的比较情况？",
    "建议规定训练数据中不得包含违法和不良信息，并要求提供者建立过滤机制和人工抽检制度。",
    "对于使用少数民族语言数据训练的模型，本条的数据质量要求可能难以满足，建议作出差异化安排。",
    "条文中的“多样性”应当包括性别、地域和年龄的均衡，以减少模型输出中的偏见和歧视。",
    "我认为第七条写得很好，但缺少罚则。违反训练数据要求应当承担什么责任，需要在第六章中对应规定。",
    "医疗健康数据用于训练时风险更高，建议对敏感个人信息单独规定更严格的授权和审查程序。",
    "希望起草机关说明本条与《生成式人工智能服务管理暂行办法》第七条的关系，两者的要求是否一致。",
    "企业购买的商业数据集往往无法追溯原始来源，建议允许以供应商的合规承诺作为来源合法的证明。",
    "建议要求提供者公开训练数据的概要说明，包括主要来源、时间范围和规模，接受社会监督。",
    "训练数据标注外包给第三方公司的情况很普遍，建议明确外包标注人员的培训和保密要求。",
    "反对本条。数据质量应当由市场竞争解决，行政机关不宜过多干预企业的技术选择。",
    "对于已经上线的模型，本条是否溯及既往？建议给予现有服务一年的整改期限。",
    "支持第七条。同时建议建立训练数据的投诉渠道，个人发现自己的信息被用于训练时可以要求删除。",
    "本条第三款的“定期评估”没有规定频率，建议明确为每年至少一次，并将评估报告报送主管部门。",
    "建议区分基础模型和行业应用模型，后者多使用企业自有数据，合规要求可以适当简化。",
    "我们公司也认为训练数据留存期限过长，但更担心的是留存数据的访问权限，建议规定只有经批准的监管人员才能调取。",
    "支持第七条关于来源合法性的要求，但建议同时规定权利人的举证责任，避免恶意投诉影响企业正常经营。",
];

const DIFFERENT_EN: &[&str] = &[
    "Does Article 7 apply to models trained outside China but offered to users here? The text should say so.",
    "Synthetic data is increasingly used for training. Please state whether the quality requirements cover it.",
    "Article 7 should require providers to publish a summary of their training data, including main sources and time ranges.",
    "Researchers at universities need an exemption for non-commercial work, or at least a simpler procedure.",
    "The diversity requirement should cover gender, region and age so that outputs are less biased.",
    "I oppose Article 7 because data quality is better left to competition than to regulators.",
    "Please add a complaint channel so that individuals can ask for their data to be removed from training sets.",
    "Outsourced annotation is common; the article should set training and confidentiality rules for annotators.",
    "Small companies cannot bear every cost this draft creates, but the retention period in Article 7 is reasonable and should stay.",
];

const SYNONYMS_ZH: &[(&str, &str)] = &[
    ("建议", "提议"),
    ("明确", "清楚"),
    ("企业", "公司"),
    ("反对", "不赞成"),
    ("支持", "赞成"),
    ("增加", "补充"),
    ("要求", "规定"),
    ("希望", "盼望"),
    ("恳请", "请求"),
    ("坚决", "强烈"),
    ("强烈", "坚决"),
    ("成本", "费用"),
    ("风险", "隐患"),
    ("缩短", "减少"),
    ("难以", "很难"),
    ("条文", "条款"),
    ("孩子们", "未成年人"),
    ("必须", "一定要"),
];

const SYNONYMS_EN: &[(&str, &str)] = &[
    ("strongly", "firmly"),
    ("oppose", "object to"),
    ("reduce", "shorten"),
    ("companies", "firms"),
    ("should", "must"),
    ("clarify", "specify"),
    ("vague", "unclear"),
    ("Please", "Kindly"),
    ("support", "back"),
    ("Creators", "Authors"),
    ("risk", "danger"),
    ("explicitly", "clearly"),
];

const OPENINGS_ZH: &[&str] = &[
    "我是一名普通市民。",
    "作为软件工程师，",
    "本人在一家创业公司工作，",
    "我代表我们公司全体员工表态：",
    "各位领导好！",
];
const CLOSINGS_ZH: &[&str] = &[
    "谢谢！",
    "以上意见，请予考虑。",
    "希望我的意见能被采纳。",
    "此致敬礼",
];
const OPENINGS_EN: &[&str] = &["As a parent, ", "Dear drafters, ", "Speaking for my team: "];
const CLOSINGS_EN: &[&str] = &[
    " Thank you.",
    " Please consider this.",
    " Regards, a concerned citizen.",
];

/// One comment of the set and the letter it copies (`None`: it stands alone).
pub struct Labelled {
    /// The comment's text.
    pub text: String,
    /// Index of the letter it copies.
    pub letter: Option<usize>,
}

struct Language {
    synonyms: &'static [(&'static str, &'static str)],
    openings: &'static [&'static str],
    closings: &'static [&'static str],
    sentence_end: char,
}

const ZH: Language = Language {
    synonyms: SYNONYMS_ZH,
    openings: OPENINGS_ZH,
    closings: CLOSINGS_ZH,
    sentence_end: '。',
};
const EN: Language = Language {
    synonyms: SYNONYMS_EN,
    openings: OPENINGS_EN,
    closings: CLOSINGS_EN,
    sentence_end: '.',
};

fn punctuate(rng: &mut StdRng, text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '，' => ["，", ",", " ", ""]
                .choose(rng)
                .copied()
                .unwrap_or("，")
                .to_owned(),
            '。' => ["。", "！", ".", "；"]
                .choose(rng)
                .copied()
                .unwrap_or("。")
                .to_owned(),
            ',' => [",", "", " ,", ";"]
                .choose(rng)
                .copied()
                .unwrap_or(",")
                .to_owned(),
            '.' => [".", "!", "...", "."]
                .choose(rng)
                .copied()
                .unwrap_or(".")
                .to_owned(),
            '“' | '”' => ["\"", "", "「"]
                .choose(rng)
                .copied()
                .unwrap_or("")
                .to_owned(),
            ' ' => [" ", "  ", "\u{3000}"]
                .choose(rng)
                .copied()
                .unwrap_or(" ")
                .to_owned(),
            // Full-width Latin letters and digits, as some input methods type them.
            'A'..='Z' | 'a'..='z' | '0'..='9' if rng.random_bool(0.3) => {
                char::from_u32(u32::from(c) + 0xFEE0)
                    .unwrap_or(c)
                    .to_string()
            }
            'a'..='z' if rng.random_bool(0.1) => c.to_ascii_uppercase().to_string(),
            _ => c.to_string(),
        })
        .collect()
}

fn synonyms(rng: &mut StdRng, lang: &Language, text: &str, count: usize) -> String {
    let present: Vec<&(&str, &str)> = lang
        .synonyms
        .iter()
        .filter(|(from, _)| text.contains(from))
        .collect();
    let mut out = text.to_owned();
    for (from, to) in present.choose_multiple(rng, count) {
        out = out.replacen(from, to, 1);
    }
    out
}

fn frame(rng: &mut StdRng, lang: &Language, text: &str) -> String {
    match rng.random_range(0..3) {
        0 => format!("{}{text}", lang.openings.choose(rng).copied().unwrap_or("")),
        1 => format!("{text}{}", lang.closings.choose(rng).copied().unwrap_or("")),
        _ => format!(
            "{}{text}{}",
            lang.openings.choose(rng).copied().unwrap_or(""),
            lang.closings.choose(rng).copied().unwrap_or("")
        ),
    }
}

/// Drops one sentence of a letter of three or more.
fn drop_sentence(rng: &mut StdRng, lang: &Language, text: &str) -> Option<String> {
    let sentences: Vec<&str> = text.split_inclusive(lang.sentence_end).collect();
    if sentences.len() < 3 {
        return None;
    }
    let skip = rng.random_range(0..sentences.len());
    Some(
        sentences
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .map(|(_, s)| *s)
            .collect(),
    )
}

fn variants(rng: &mut StdRng, lang: &Language, letter: &str) -> Vec<String> {
    let mut out = vec![letter.to_owned(), letter.to_owned()];
    out.push(punctuate(rng, letter));
    out.push(punctuate(rng, letter));
    out.push(frame(rng, lang, letter));
    out.push(frame(rng, lang, letter));
    out.extend(drop_sentence(rng, lang, letter));
    out.push(synonyms(rng, lang, letter, 1));
    out.push(synonyms(rng, lang, letter, 2));
    out.push(synonyms(rng, lang, letter, 3));
    let edited = synonyms(rng, lang, letter, 2);
    let framed = frame(rng, lang, &edited);
    out.push(punctuate(rng, &framed));
    let edited = synonyms(rng, lang, letter, 1);
    let punctuated = punctuate(rng, &edited);
    out.push(frame(rng, lang, &punctuated));
    out
}

/// The whole set, in a fixed shuffled order.
pub fn set() -> Vec<Labelled> {
    let mut rng = StdRng::seed_from_u64(20261125);
    let mut out = Vec::new();
    let letters = LETTERS_ZH
        .iter()
        .map(|l| (&ZH, *l))
        .chain(LETTERS_EN.iter().map(|l| (&EN, *l)));
    for (i, (lang, letter)) in letters.enumerate() {
        for text in variants(&mut rng, lang, letter) {
            out.push(Labelled {
                text,
                letter: Some(i),
            });
        }
    }
    for text in DIFFERENT_ZH.iter().chain(DIFFERENT_EN) {
        out.push(Labelled {
            text: (*text).to_owned(),
            letter: None,
        });
    }
    rand::seq::SliceRandom::shuffle(out.as_mut_slice(), &mut rng);
    out
}

/// Pairwise precision and recall of clustering `set`: a pair is predicted when both are in one
/// cluster, and true when both copy the same letter.
pub fn precision_recall(set: &[Labelled]) -> (f64, f64) {
    let signatures: Vec<minhash::Signature> = set
        .iter()
        .map(|l| minhash::signature(&l.text).expect("every text has characters"))
        .collect();
    let scopes = vec![1; set.len()];
    let mut predicted_cluster = vec![usize::MAX; set.len()];
    for (c, group) in minhash::cluster(&scopes, &signatures).iter().enumerate() {
        for &i in group {
            predicted_cluster[i as usize] = c;
        }
    }
    let (mut both, mut predicted, mut truth) = (0_u64, 0_u64, 0_u64);
    for i in 0..set.len() {
        for j in i + 1..set.len() {
            let p =
                predicted_cluster[i] != usize::MAX && predicted_cluster[i] == predicted_cluster[j];
            let t = set[i].letter.is_some() && set[i].letter == set[j].letter;
            predicted += u64::from(p);
            truth += u64::from(t);
            both += u64::from(p && t);
        }
    }
    (both as f64 / predicted as f64, both as f64 / truth as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clustering_the_labelled_set_reaches_precision_and_recall_of_095() {
        let set = set();
        let letters = LETTERS_ZH.len() + LETTERS_EN.len();
        assert!(set.len() > letters * 10 + DIFFERENT_ZH.len());
        let (precision, recall) = precision_recall(&set);
        println!(
            "labelled set: {} comments, precision {precision:.3}, recall {recall:.3}",
            set.len()
        );
        assert!(precision >= 0.95, "precision {precision:.3}");
        assert!(recall >= 0.95, "recall {recall:.3}");
    }

    #[test]
    fn different_comments_on_the_same_article_stay_far_apart() {
        let sigs: Vec<_> = DIFFERENT_ZH
            .iter()
            .chain(DIFFERENT_EN)
            .chain(LETTERS_ZH)
            .chain(LETTERS_EN)
            .map(|t| minhash::signature(t).expect("text"))
            .collect();
        let mut worst: f64 = 0.0;
        for i in 0..sigs.len() {
            for j in i + 1..sigs.len() {
                worst = worst.max(minhash::similarity(&sigs[i], &sigs[j]));
            }
        }
        println!("highest similarity between different comments: {worst:.3}");
        assert!(worst < minhash::THRESHOLD);
    }
}
