//! The word lists demonstration data is assembled from: names, organisations, and phrases about
//! the demo draft's articles, so that generated comments read like short real ones.

use crate::accounts::StakeholderType;
use crate::comments::Stance;

/// Common surnames.
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];

/// Given names.
pub const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建国", "晓梅", "志强", "海燕", "文博", "子涵", "浩然",
    "雨桐", "思远", "嘉怡", "宇航", "欣怡", "俊杰", "梓萱", "立新",
];

/// How many of the generated accounts are of each type (they add up to the number of accounts).
pub const ACCOUNT_TYPES: &[(StakeholderType, usize)] = &[
    (StakeholderType::Citizen, 100),
    (StakeholderType::Enterprise, 30),
    (StakeholderType::IndustryAssociation, 14),
    (StakeholderType::Academic, 20),
    (StakeholderType::Ngo, 14),
    (StakeholderType::Government, 16),
    (StakeholderType::Other, 6),
];

/// Fictional organisations, marked as demonstrations in their names.
pub const ORGANIZATIONS: &[(StakeholderType, &str)] = &[
    (StakeholderType::Enterprise, "星河智能科技有限公司（演示）"),
    (StakeholderType::Enterprise, "青禾数据服务有限公司（演示）"),
    (
        StakeholderType::Enterprise,
        "远航云计算股份有限公司（演示）",
    ),
    (StakeholderType::Enterprise, "明镜视觉技术有限公司（演示）"),
    (StakeholderType::Enterprise, "知行教育科技有限公司（演示）"),
    (
        StakeholderType::Enterprise,
        "安澜金融信息服务有限公司（演示）",
    ),
    (
        StakeholderType::IndustryAssociation,
        "江州市人工智能产业协会（演示）",
    ),
    (
        StakeholderType::IndustryAssociation,
        "数字内容服务行业协会（演示）",
    ),
    (
        StakeholderType::IndustryAssociation,
        "智能网联汽车产业促进会（演示）",
    ),
    (
        StakeholderType::Academic,
        "江州大学人工智能治理研究中心（演示）",
    ),
    (StakeholderType::Academic, "南山信息安全研究院（演示）"),
    (StakeholderType::Ngo, "青少年网络保护公益中心（演示）"),
    (StakeholderType::Ngo, "老年人数字生活服务社（演示）"),
    (StakeholderType::Government, "江州市网信办（演示）"),
    (StakeholderType::Government, "江州市市场监督管理局（演示）"),
    (StakeholderType::Government, "江州市卫生健康委员会（演示）"),
];

/// The first two characters of a 统一社会信用代码 for each type of organisation: the registering
/// authority and the kind of body (GB 32100-2015, table 1).
pub fn uscc_prefix(t: StakeholderType) -> &'static str {
    match t {
        StakeholderType::IndustryAssociation => "51",
        StakeholderType::Ngo => "52",
        StakeholderType::Academic => "12",
        StakeholderType::Government => "11",
        _ => "91",
    }
}

/// What each article of the demo draft is about, by article number.
const TOPICS: &[&str] = &[
    "立法目的和依据",
    "适用范围",
    "用语含义",
    "治理原则",
    "监管职责分工",
    "行业自律和技术研究",
    "风险分级",
    "高风险服务的认定",
    "高风险场景目录",
    "分级监管措施",
    "高风险服务备案",
    "备案编号公示",
    "上线前风险评估",
    "重新评估和定期评估",
    "运行监测",
    "安全事件报告时限",
    "监测预警机制",
    "漏洞报告人保护",
    "安全主体责任",
    "信息公开和告知义务",
    "生成内容标识",
    "数据安全和个人信息保护",
    "人工监督措施",
    "运行日志保存",
    "投诉和申诉处理",
    "使用者权利",
    "使用者禁止行为",
    "未成年人保护",
    "监督检查措施",
    "第三方评估机构",
    "保密义务",
    "信用档案和约谈",
    "一般违法行为的罚则",
    "严重违法行为的罚则",
    "评估机构的法律责任",
    "从轻和减轻处罚",
    "工作人员的责任",
    "附则中的用语含义",
    "施行日期",
];

/// The theme of article `number` (a neutral phrase for articles the list does not know).
pub fn topic(number: i32) -> &'static str {
    usize::try_from(number - 1)
        .ok()
        .and_then(|i| TOPICS.get(i))
        .copied()
        .unwrap_or("本条规定")
}

/// Articles commented on more than the others, as the provisions with the widest effect are.
pub const HOT_ARTICLES: &[i32] = &[7, 8, 9, 13, 16, 21, 22, 26, 28, 33, 34];

/// First sentences, per stance; `{t}` is the article's theme.
pub fn openers(stance: Stance) -> &'static [&'static str] {
    match stance {
        Stance::Support => &[
            "支持本条关于{t}的规定。",
            "赞同本条对{t}的安排。",
            "{t}的规定很有必要，表示支持。",
            "本条把{t}写得比较清楚，支持保留。",
        ],
        Stance::Oppose => &[
            "不赞成本条关于{t}的现有规定。",
            "对{t}的写法持保留意见。",
            "本条关于{t}的要求不太合理。",
            "建议删除或者重新研究{t}的规定。",
        ],
        Stance::Amend => &[
            "建议修改本条关于{t}的表述。",
            "{t}的方向是对的，但条文还需要完善。",
            "对{t}提出以下修改建议。",
            "本条{t}部分建议调整。",
        ],
        Stance::Other => &[
            "关于{t}，提几点想法供参考。",
            "想了解{t}在实践中如何执行。",
            "对{t}有一个疑问。",
            "就{t}谈一点个人看法。",
        ],
    }
}

/// Sentences saying who speaks, per stakeholder type.
pub fn perspectives(t: StakeholderType) -> &'static [&'static str] {
    match t {
        StakeholderType::Citizen => &[
            "作为普通用户，我最关心规定能不能真正落地。",
            "我平时经常使用智能对话和推荐服务。",
            "家里老人和孩子都在用人工智能产品，所以很关注这个问题。",
            "我在求职时遇到过自动筛选简历的情况。",
        ],
        StakeholderType::Enterprise => &[
            "从企业合规的角度看，这一条影响很大。",
            "我们公司提供智能客服和内容生成服务，对此深有体会。",
            "对中小企业来说，合规成本是很现实的问题。",
        ],
        StakeholderType::IndustryAssociation => &[
            "经征求协会会员单位意见，汇总如下。",
            "行业内对这一条反映比较集中。",
        ],
        StakeholderType::Academic => &[
            "从技术研究的角度看，有几点需要注意。",
            "结合国内外立法经验，谈几点看法。",
            "根据我们课题组的调研，情况比较复杂。",
        ],
        StakeholderType::Ngo => &[
            "我们长期关注弱势群体的数字权益。",
            "我们在公益服务中经常遇到相关求助。",
        ],
        StakeholderType::Government => &[
            "结合基层监管实践，提出以下意见。",
            "从执法的可操作性看，有几点建议。",
        ],
        StakeholderType::Other => &["作为关注这一领域的从业者，说几句。", ""],
    }
}

/// Reasons, per stance.
pub fn arguments(stance: Stance) -> &'static [&'static str] {
    match stance {
        Stance::Support => &[
            "这样规定有助于明确各方责任，回应了社会关切。",
            "条文兼顾了发展与安全，方向是正确的。",
            "能够有效降低风险，保护使用者的合法权益。",
            "与个人信息保护法、数据安全法的规定衔接较好。",
            "给了企业明确的预期，便于提前做好准备。",
        ],
        Stance::Oppose => &[
            "现有表述过于原则，执行中容易出现尺度不一。",
            "可能明显增加合规成本，不利于中小企业和初创团队发展。",
            "与现行法律法规存在交叉，容易造成重复监管。",
            "义务设置与风险程度不相匹配，建议重新评估其必要性。",
            "期限设置过短，实际操作中很难做到。",
        ],
        Stance::Amend => &[
            "部分用语含义不够明确，建议进一步细化。",
            "建议明确时限和程序，增强可操作性。",
            "建议区分不同规模的提供者，设置合理的过渡期。",
            "建议与国家标准和行业标准做好衔接。",
            "建议把主管部门和行业主管部门的职责边界写清楚。",
        ],
        Stance::Other => &[
            "希望配套出台实施细则和解读材料。",
            "建议在正式施行前先开展试点。",
            "期待起草机关公开意见采纳情况。",
            "建议结合典型案例加以说明。",
            "这一条与其他条文的关系不太清楚，希望说明。",
        ],
    }
}

/// Last sentences (some comments end without one).
pub const CLOSERS: &[&str] = &[
    "以上意见，供参考。",
    "谢谢！",
    "恳请起草机关予以考虑。",
    "",
    "",
];

/// Small edits a proposed text makes to an article: the first text is replaced by the second.
pub const EDITS: &[(&str, &str)] = &[
    ("应当", "必须"),
    ("可以", "应当"),
    ("及时", "在二十四小时内"),
    ("不少于六个月", "不少于一年"),
    ("二十个工作日", "十个工作日"),
    ("十五个工作日", "十个工作日"),
    ("二十四小时", "十二小时"),
    ("七十二小时", "四十八小时"),
    ("一万元以上十万元以下", "五万元以上五十万元以下"),
    ("每年至少", "每半年至少"),
    ("主管部门", "主管部门会同网信部门"),
    ("个人信息", "个人信息和敏感个人信息"),
];

/// Paragraphs a proposed text may add at the end of an article.
pub const ADDED_PARAGRAPHS: &[&str] = &[
    "具体办法由主管部门另行制定，并向社会公布。",
    "主管部门应当定期公布本条的执行情况。",
    "对小微企业和个人开发者，可以适当简化有关程序。",
];

/// Answers to a comment.
pub const REPLIES: &[&str] = &[
    "同意楼上的意见。",
    "补充一点：",
    "我有不同看法：",
    "这个问题确实存在。",
    "请问起草机关对此有什么考虑？",
    "说得很好，",
];

/// Answers to an answer.
pub const SECOND_REPLIES: &[&str] = &[
    "谢谢补充。",
    "有道理，我再想想。",
    "同意，这一点很关键。",
    "实践中确实如此。",
    "这正是我担心的地方。",
    "可以参考其他地方的做法。",
];

/// Why moderators hid a comment, with a body that earned it.
pub const HIDDEN: &[(&str, &str)] = &[
    (
        "含有与本条无关的广告推广内容",
        "本条规定很好。另外推荐大家关注我们的人工智能培训课程，报名方式见主页。",
    ),
    (
        "含有侮辱他人的言语",
        "起草这条的人根本不懂技术，纯属外行瞎写。",
    ),
    (
        "公开了他人的个人信息",
        "某公司的张某（手机号见附件）就违规使用过用户数据，请有关部门查处。",
    ),
    ("同一内容重复发布", "反对！反对！反对！这条必须删除！"),
];
