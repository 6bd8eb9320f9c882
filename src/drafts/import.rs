//! Plain-text draft-regulation importer.
//!
//! Drafters paste drafts out of Word into a `.txt` file; this module turns
//! those bytes into a title, a preamble (说明), a division outline
//! (编/章/节 or PART/CHAPTER/SECTION) and numbered articles whose bodies keep
//! 款 paragraphs and 项 items line by line. It depends only on std,
//! `thiserror` and `encoding_rs` so it can live anywhere in the app.

use std::fmt;

/// Largest file accepted, in bytes (5 MiB); the TooLarge message states it.
pub const MAX_DRAFT_BYTES: usize = 5 * 1024 * 1024;

/// Level of a structural heading: 编 / 章 / 节, or PART / CHAPTER / SECTION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DivisionKind {
    /// 编 or PART, the outermost level.
    Part,
    /// 章 or CHAPTER, inside a part when there is one.
    Chapter,
    /// 节 or SECTION, inside a chapter when there is one.
    Section,
}

impl DivisionKind {
    /// Stable lowercase name, suitable for storage: "part", "chapter" or "section".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Part => "part",
            Self::Chapter => "chapter",
            Self::Section => "section",
        }
    }

    /// Inverse of [`DivisionKind::as_str`], ignoring ASCII case.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Part, Self::Chapter, Self::Section]
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for DivisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Language of a draft, decided by the form of its first article label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Labels such as 第一条 / 第一章.
    Chinese,
    /// Labels such as Article 1 / CHAPTER I.
    English,
}

/// A structural heading (编/章/节 or PART/CHAPTER/SECTION).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDivision {
    /// Level of the heading.
    pub kind: DivisionKind,
    /// Number in the label; not checked for order because chapters may restart in each part.
    pub number: i32,
    /// Label as written with spacing normalised: "第一章" or "Chapter I".
    pub label: String,
    /// Heading text after the label, e.g. "总则"; empty when the draft gives none.
    pub title: String,
    /// Index into [`ParsedDraft::divisions`] of the enclosing division.
    pub parent: Option<usize>,
}

/// One article (条 / Article) with its paragraphs and items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedArticle {
    /// Number in the label; strictly increasing through the draft.
    pub number: i32,
    /// Label as written without spaces: "第五条" or "Article 5".
    pub label: String,
    /// Index into [`ParsedDraft::divisions`] of the innermost enclosing division.
    pub division: Option<usize>,
    /// One trimmed entry per source line: 款 paragraphs and 项 items in order (see [`is_item`]).
    pub body: Vec<String>,
    /// 1-based source line of the label.
    pub line: usize,
}

/// A whole imported draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDraft {
    /// Title from the caller, else the first non-empty line, else the file name stem.
    pub title: String,
    /// 说明: lines before the first heading or article, joined by '\n'.
    pub preamble: String,
    /// Language of the article labels.
    pub language: Language,
    /// Headings in source order; `parent` and `division` indices point here.
    pub divisions: Vec<ParsedDivision>,
    /// Articles in source order.
    pub articles: Vec<ParsedArticle>,
}

/// What a non-UTF-8 file most likely is, so the error can say how to convert it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingGuess {
    /// The whole file decodes cleanly as GB18030 (a superset of GBK and GB2312).
    Gb18030,
    /// The file starts with a UTF-16 byte-order mark.
    Utf16,
}

/// Why a draft was refused; every message names the file and, where it applies, the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is larger than [`MAX_DRAFT_BYTES`].
    #[error(
        "{file}: the file is {size} bytes, larger than the limit of {max} bytes (5 MiB); split the draft or remove embedded material",
        max = MAX_DRAFT_BYTES
    )]
    TooLarge {
        /// File name as given by the caller.
        file: String,
        /// Actual size in bytes.
        size: usize,
    },
    /// The file has no text at all, or only blank lines.
    #[error("{file}: the file is empty; paste the draft text into it and upload it again")]
    Empty {
        /// File name as given by the caller.
        file: String,
    },
    /// The file is a Word document (.docx or .doc) rather than plain text.
    #[error(
        "{file}: this is a Word document, not plain text; in Word use File > Save As > Plain Text (.txt) with Unicode (UTF-8) encoding"
    )]
    WordDocument {
        /// File name as given by the caller.
        file: String,
    },
    /// The bytes are not valid UTF-8.
    #[error(
        "{file}, line {line}: the file is not valid UTF-8 text{}",
        encoding_advice(*.guess, .file)
    )]
    NotUtf8 {
        /// File name as given by the caller.
        file: String,
        /// 1-based line holding the first invalid byte.
        line: usize,
        /// Likely actual encoding, when it can be recognised.
        guess: Option<EncodingGuess>,
    },
    /// The text contains a NUL character, which plain text never does.
    #[error(
        "{file}, line {line}: the file contains a NUL character, so it is probably UTF-16 or binary; save it as plain text with UTF-8 encoding"
    )]
    NulByte {
        /// File name as given by the caller.
        file: String,
        /// 1-based line of the first NUL.
        line: usize,
    },
    /// No line starts with an article label.
    #[error(
        "{file}: no article found; each article must start on its own line with a label such as 第一条 or Article 1"
    )]
    NoArticles {
        /// File name as given by the caller.
        file: String,
    },
    /// An article number repeats or goes backwards.
    #[error(
        "{file}, line {line}: {label} at line {line} {} {previous_label} at line {previous_line}; article numbers must increase (gaps are allowed)",
        order_verb(*.number, *.previous_number)
    )]
    ArticleOutOfOrder {
        /// File name as given by the caller.
        file: String,
        /// Label of the offending article.
        label: String,
        /// Number of the offending article.
        number: i32,
        /// 1-based line of the offending article.
        line: usize,
        /// Label of the article before it.
        previous_label: String,
        /// Number of the article before it.
        previous_number: i32,
        /// 1-based line of the article before it.
        previous_line: usize,
    },
    /// A line is shaped like a label but its number cannot be read.
    #[error(
        "{file}, line {line}: cannot read the number in {label}; write it like 第一百零五条 or 第105条"
    )]
    BadLabelNumber {
        /// File name as given by the caller.
        file: String,
        /// 1-based line of the label.
        line: usize,
        /// The label as written.
        label: String,
    },
    /// Text sits between a heading and the next article, where nothing can hold it.
    #[error(
        "{file}, line {line}: this text follows heading {heading} (line {heading_line}) but is not inside any article; move it into an article or into the preamble, or delete it"
    )]
    StrayText {
        /// File name as given by the caller.
        file: String,
        /// 1-based line of the stray text.
        line: usize,
        /// Label of the heading it follows.
        heading: String,
        /// 1-based line of that heading.
        heading_line: usize,
    },
}

fn order_verb(number: i32, previous: i32) -> &'static str {
    if number == previous {
        "repeats the number of"
    } else {
        "follows"
    }
}

fn encoding_advice(guess: Option<EncodingGuess>, file: &str) -> String {
    let (source, converted) = (shell_quote(file), shell_quote(&format!("{file}.utf8")));
    match guess {
        Some(EncodingGuess::Gb18030) => format!(
            "; it looks like GB18030 (GBK); convert it with: iconv -f GB18030 -t UTF-8 {source} > {converted}"
        ),
        Some(EncodingGuess::Utf16) => format!(
            "; it looks like UTF-16; convert it with: iconv -f UTF-16 -t UTF-8 {source} > {converted}"
        ),
        None => "; save it as plain text with UTF-8 encoding".to_owned(),
    }
}

/// Quotes a file name so the suggested iconv command can be pasted as is.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || "._-/+,@%=".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Parses a draft; `title` overrides the first-line title when given.
pub fn parse_draft(
    bytes: &[u8],
    file_name: &str,
    title: Option<&str>,
) -> Result<ParsedDraft, ImportError> {
    let text = decode(bytes, file_name)?;
    let lines: Vec<(usize, &str)> = split_lines(text)
        .into_iter()
        .enumerate()
        .map(|(i, line)| (i + 1, clean(line)))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let Some(&(_, first_line)) = lines.first() else {
        return Err(ImportError::Empty {
            file: file_name.to_owned(),
        });
    };

    // A blank override would give the draft no title at all, so it counts as absent.
    let (title, content) = match title.map(clean).filter(|t| !t.is_empty()) {
        Some(given) => (given.to_owned(), &lines[..]),
        // A file that opens straight with a heading or article has no title line to take.
        None if looks_like_label(first_line) => (file_stem(file_name), &lines[..]),
        None => (first_line.to_owned(), &lines[1..]),
    };

    let language = detect_language(content);
    let classes: Vec<LineClass<'_>> = content
        .iter()
        .map(|&(_, line)| classify(line, language))
        .collect();
    let skipped = table_of_contents(content, &classes);

    let mut outline = Outline::default();
    let mut preamble: Vec<&str> = Vec::new();
    let mut divisions: Vec<ParsedDivision> = Vec::new();
    let mut heading_lines: Vec<usize> = Vec::new();
    let mut articles: Vec<ParsedArticle> = Vec::new();
    let mut in_article = false;
    let mut awaiting_title: Option<usize> = None;

    for (index, (&(line_no, line), class)) in content.iter().zip(classes).enumerate() {
        if skipped.as_ref().is_some_and(|range| range.contains(&index)) {
            continue;
        }
        match class {
            LineClass::BadNumber { label } => {
                return Err(ImportError::BadLabelNumber {
                    file: file_name.to_owned(),
                    line: line_no,
                    label,
                });
            }
            LineClass::Label(Label::Division {
                kind,
                number,
                label,
                title,
            }) => {
                let index = divisions.len();
                divisions.push(ParsedDivision {
                    kind,
                    number,
                    label,
                    title: normalise_title(title),
                    parent: outline.parent_for(kind),
                });
                heading_lines.push(line_no);
                outline.enter(kind, index);
                in_article = false;
                awaiting_title = title.is_empty().then_some(index);
            }
            LineClass::Label(Label::Article {
                number,
                label,
                rest,
            }) => {
                if let Some(previous) = articles.last()
                    && number <= previous.number
                {
                    return Err(ImportError::ArticleOutOfOrder {
                        file: file_name.to_owned(),
                        label,
                        number,
                        line: line_no,
                        previous_label: previous.label.clone(),
                        previous_number: previous.number,
                        previous_line: previous.line,
                    });
                }
                articles.push(ParsedArticle {
                    number,
                    label,
                    division: outline.innermost(),
                    body: if rest.is_empty() {
                        Vec::new()
                    } else {
                        vec![rest.to_owned()]
                    },
                    line: line_no,
                });
                in_article = true;
                awaiting_title = None;
            }
            LineClass::Text => {
                if let Some(index) = awaiting_title.take()
                    && !is_item(line)
                    && !is_numbered_paragraph(line)
                    && let Some(division) = divisions.get_mut(index)
                {
                    division.title = normalise_title(line);
                    continue;
                }
                if in_article {
                    if let Some(article) = articles.last_mut() {
                        article.body.push(line.to_owned());
                    }
                } else if let (Some(heading), Some(&heading_line)) =
                    (divisions.last(), heading_lines.last())
                {
                    return Err(ImportError::StrayText {
                        file: file_name.to_owned(),
                        line: line_no,
                        heading: heading.label.clone(),
                        heading_line,
                    });
                } else {
                    preamble.push(line);
                }
            }
        }
    }

    if articles.is_empty() {
        return Err(ImportError::NoArticles {
            file: file_name.to_owned(),
        });
    }
    Ok(ParsedDraft {
        title,
        preamble: preamble.join("\n"),
        language,
        divisions,
        articles,
    })
}

/// Tracks the open 编/章/节 while walking the draft.
#[derive(Default)]
struct Outline {
    part: Option<usize>,
    chapter: Option<usize>,
    section: Option<usize>,
}

impl Outline {
    fn parent_for(&self, kind: DivisionKind) -> Option<usize> {
        match kind {
            DivisionKind::Part => None,
            DivisionKind::Chapter => self.part,
            // A 节 directly under a 编 (no 章) still belongs somewhere.
            DivisionKind::Section => self.chapter.or(self.part),
        }
    }

    fn enter(&mut self, kind: DivisionKind, index: usize) {
        match kind {
            DivisionKind::Part => {
                *self = Self {
                    part: Some(index),
                    chapter: None,
                    section: None,
                }
            }
            DivisionKind::Chapter => {
                self.chapter = Some(index);
                self.section = None;
            }
            DivisionKind::Section => self.section = Some(index),
        }
    }

    fn innermost(&self) -> Option<usize> {
        self.section.or(self.chapter).or(self.part)
    }
}

fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, ImportError> {
    if bytes.len() > MAX_DRAFT_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_owned(),
            size: bytes.len(),
        });
    }
    // .docx is a ZIP archive and .doc an OLE compound file; both are common mistakes.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(ImportError::WordDocument {
            file: file.to_owned(),
        });
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => match text.find('\0') {
            Some(position) => Err(ImportError::NulByte {
                file: file.to_owned(),
                line: split_lines(&text[..position]).len(),
            }),
            None => Ok(text),
        },
        Err(error) => {
            let valid = body.get(..error.valid_up_to()).unwrap_or_default();
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            let guess = if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
                Some(EncodingGuess::Utf16)
            } else if encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(body)
                .is_some()
            {
                Some(EncodingGuess::Gb18030)
            } else {
                None
            };
            Err(ImportError::NotUtf8 {
                file: file.to_owned(),
                line: split_lines(prefix).len(),
                guess,
            })
        }
    }
}

/// Splits on LF, CRLF and lone CR, the breaks a text editor numbers lines by.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            '\r' => {
                lines.push(&text[start..i]);
                start = i + 1;
                if let Some(&(_, '\n')) = chars.peek() {
                    chars.next();
                    start += 1;
                }
            }
            _ => {}
        }
    }
    lines.push(&text[start..]);
    lines
}

fn is_space(c: char) -> bool {
    // Word pastes carry zero-width spaces and stray BOMs next to ordinary whitespace.
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}')
}

fn clean(line: &str) -> &str {
    line.trim_matches(is_space)
}

fn trim_start_space(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

fn file_stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    };
    clean(stem).to_owned()
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff01}'..='\u{ffef}')
}

/// Collapses whitespace runs; drops them between CJK characters because
/// headings are often letter-spaced for layout ("总　　则").
fn normalise_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_space = false;
    for c in clean(title).chars() {
        if is_space(c) {
            pending_space = true;
            continue;
        }
        if pending_space {
            let joins_cjk = out.chars().next_back().is_some_and(is_cjk) && is_cjk(c);
            if !joins_cjk {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Label<'a> {
    Division {
        kind: DivisionKind,
        number: i32,
        label: String,
        title: &'a str,
    },
    Article {
        number: i32,
        label: String,
        rest: &'a str,
    },
}

#[derive(Debug, PartialEq, Eq)]
enum LineClass<'a> {
    Label(Label<'a>),
    BadNumber { label: String },
    Text,
}

impl LineClass<'_> {
    fn is_article(&self) -> bool {
        matches!(self, Self::Label(Label::Article { .. }))
    }

    fn division_key(&self) -> Option<(DivisionKind, i32)> {
        match self {
            Self::Label(Label::Division { kind, number, .. }) => Some((*kind, *number)),
            _ => None,
        }
    }
}

fn classify(line: &str, language: Language) -> LineClass<'_> {
    match language {
        Language::Chinese => classify_chinese(line),
        Language::English => classify_english(line),
    }
}

fn looks_like_label(line: &str) -> bool {
    classify_chinese(line) != LineClass::Text || classify_english(line) != LineClass::Text
}

/// Language of the first article-shaped line; Chinese when there is none,
/// since the refusal that follows is the same either way.
fn detect_language(lines: &[(usize, &str)]) -> Language {
    for &(_, line) in lines {
        match classify_chinese(line) {
            LineClass::Label(Label::Article { .. }) => return Language::Chinese,
            LineClass::BadNumber { label } if label.ends_with(['条', '條']) => {
                return Language::Chinese;
            }
            _ => {}
        }
        if classify_english(line).is_article() {
            return Language::English;
        }
    }
    Language::Chinese
}

/// Words that follow an article number in a cross-reference ("第五条规定的…",
/// "第十条第一款…") but never start an article's own text.
const REFERENCE_CONTINUATIONS: &[&str] = &[
    "第",
    "、",
    "，",
    ",",
    "；",
    ";",
    "。",
    "）",
    ")",
    "的",
    "规定",
    "所称",
    "所述",
    "所列",
    "所指",
    "中规定",
    "中的",
    "中所",
    "之",
    "款",
    "项",
    "至第",
    "到第",
    "和第",
    "与第",
    "及第",
    "及其",
    "或第",
    "或者第",
    "以及第",
];

fn is_numeral_char(c: char) -> bool {
    is_digit(c)
        || chinese_digit(c).is_some()
        || chinese_unit(c).is_some()
        || matches!(c, '零' | '〇')
}

fn classify_chinese(line: &str) -> LineClass<'_> {
    let Some(after_di) = line.strip_prefix('第') else {
        return LineClass::Text;
    };
    let after_di = trim_start_space(after_di);
    let numeral_end = after_di
        .find(|c: char| !is_numeral_char(c))
        .unwrap_or(after_di.len());
    let (numeral, after_numeral) = after_di.split_at(numeral_end);
    if numeral.is_empty() {
        return LineClass::Text;
    }
    let mut chars = trim_start_space(after_numeral).chars();
    let Some(marker) = chars.next() else {
        return LineClass::Text;
    };
    let kind = match marker {
        '编' | '編' => Some(DivisionKind::Part),
        '章' => Some(DivisionKind::Chapter),
        '节' | '節' => Some(DivisionKind::Section),
        '条' | '條' => None,
        _ => return LineClass::Text,
    };
    let rest = chars.as_str();
    if REFERENCE_CONTINUATIONS
        .iter()
        .any(|word| rest.starts_with(word))
    {
        return LineClass::Text;
    }
    let rest = rest.trim_start_matches(|c: char| is_space(c) || matches!(c, '：' | ':'));
    let label = format!("第{numeral}{marker}");
    let Some(number) = parse_chinese_number(numeral).filter(|n| *n >= 1) else {
        return LineClass::BadNumber { label };
    };
    LineClass::Label(match kind {
        Some(kind) => Label::Division {
            kind,
            number,
            label,
            title: rest,
        },
        None => Label::Article {
            number,
            label,
            rest,
        },
    })
}

fn is_heading_separator(c: char) -> bool {
    matches!(c, '.' | ':' | '-' | '–' | '—' | '：' | '．')
}

fn classify_english(line: &str) -> LineClass<'_> {
    let word_end = line
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(line.len());
    let (word, after_word) = line.split_at(word_end);
    let kind = match word.to_ascii_lowercase().as_str() {
        "part" => Some(DivisionKind::Part),
        "chapter" => Some(DivisionKind::Chapter),
        "section" => Some(DivisionKind::Section),
        "article" => None,
        _ => return LineClass::Text,
    };
    let after_space = trim_start_space(after_word);
    if after_space.len() == after_word.len() {
        return LineClass::Text;
    }
    let token_end = after_space
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(after_space.len());
    let (token, after_token) = after_space.split_at(token_end);
    let Some(number) = parse_arabic(token).or_else(|| parse_roman(token)) else {
        return LineClass::Text;
    };
    let spaced = trim_start_space(after_token);
    let explicit = spaced.starts_with(is_heading_separator);
    if !spaced.is_empty() && spaced.len() == after_token.len() && !explicit {
        // "Article 5(2)", "Section 3," and the like are references, not labels.
        return LineClass::Text;
    }
    let title = spaced.trim_start_matches(|c: char| is_space(c) || is_heading_separator(c));
    if !explicit && title.starts_with(|c: char| c.is_lowercase()) {
        // "Article 5 of the Treaty applies…" is running text that starts with a reference.
        return LineClass::Text;
    }
    let label = format!("{word} {token}");
    LineClass::Label(match kind {
        Some(kind) => Label::Division {
            kind,
            number,
            label,
            title,
        },
        None => Label::Article {
            number,
            label,
            rest: title,
        },
    })
}

/// Finds a table of contents (目录 / Contents) before the first article so its
/// headings are not taken for the real ones: it runs from the 目录 line up to
/// the second occurrence of its first heading.
fn table_of_contents(
    lines: &[(usize, &str)],
    classes: &[LineClass<'_>],
) -> Option<std::ops::Range<usize>> {
    let first_article = classes
        .iter()
        .position(LineClass::is_article)
        .unwrap_or(classes.len());
    let start = lines
        .get(..first_article)?
        .iter()
        .position(|&(_, line)| is_contents_heading(line))?;
    let (offset, key) = classes
        .get(start + 1..first_article)?
        .iter()
        .enumerate()
        .find_map(|(i, class)| class.division_key().map(|key| (i, key)))?;
    let first_entry = start + 1 + offset;
    let repeat = classes
        .get(first_entry + 1..first_article)?
        .iter()
        .position(|class| class.division_key() == Some(key))?;
    Some(start..first_entry + 1 + repeat)
}

fn is_contents_heading(line: &str) -> bool {
    let compact: String = line
        .chars()
        .filter(|c| !is_space(*c))
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        compact.as_str(),
        "目录" | "目次" | "contents" | "tableofcontents"
    )
}

/// True when a body line is an item (项 / point) rather than a paragraph (款).
pub fn is_item(line: &str) -> bool {
    // Items: （一） (二) 一、 (a) (iv) (1) a) 1、 — "1." stays a numbered paragraph (款),
    // as in EU-style drafts where 1. / 2. are paragraphs and (a) / (i) are points.
    let line = clean(line);
    if let Some(inner) = line.strip_prefix(['(', '（']) {
        return inner
            .find([')', '）'])
            .is_some_and(|close| is_enumerator(&inner[..close]));
    }
    if let Some(close) = line.find([')', '）']) {
        let token = &line[..close];
        return token.chars().all(|c| c.is_ascii_alphanumeric()) && is_enumerator(token);
    }
    line.find('、').is_some_and(|mark| {
        let head = &line[..mark];
        head.chars().all(is_numeral_char) && parse_chinese_number(head).is_some()
    })
}

fn is_enumerator(token: &str) -> bool {
    let single_letter = token.len() == 1 && token.chars().all(|c| c.is_ascii_alphabetic());
    single_letter || parse_chinese_number(token).is_some() || parse_roman(token).is_some()
}

fn is_numbered_paragraph(line: &str) -> bool {
    let digits_end = line.find(|c: char| !is_digit(c)).unwrap_or(line.len());
    let (digits, rest) = line.split_at(digits_end);
    let mut rest = rest.chars();
    !digits.is_empty()
        && matches!(rest.next(), Some('.' | '．'))
        && !rest.next().is_some_and(is_digit)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn digit_value(c: char) -> Option<i32> {
    match c {
        '0'..='9' => Some(c as i32 - '0' as i32),
        '０'..='９' => Some(c as i32 - '０' as i32),
        _ => None,
    }
}

fn chinese_digit(c: char) -> Option<i32> {
    let value = match c {
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(value)
}

fn chinese_unit(c: char) -> Option<i32> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

fn parse_arabic(s: &str) -> Option<i32> {
    if s.is_empty() {
        return None;
    }
    s.chars().try_fold(0i32, |acc, c| {
        acc.checked_mul(10)?.checked_add(digit_value(c)?)
    })
}

/// Converts Chinese numerals (一 … 九千九百九十九, with 零, 十/百/千, 两, and leading 十 as in 十二) or ASCII/full-width digits to a number.
pub fn parse_chinese_number(s: &str) -> Option<i32> {
    // Ambiguous or malformed forms ("一百五", "十两", "一百零十") give None rather than
    // a guess, so a mistyped label is reported instead of silently misnumbered.
    let s = clean(s);
    if s.is_empty() {
        return None;
    }
    if let Some(value) = parse_arabic(s) {
        return Some(value);
    }
    if matches!(s, "零" | "〇") {
        return Some(0);
    }
    let mut total = 0;
    let mut last_unit = 10_000;
    let mut digit: Option<(i32, bool)> = None; // value, written as 两
    let mut after_zero = false;
    for (position, c) in s.chars().enumerate() {
        if let Some(value) = chinese_digit(c) {
            if digit.is_some() {
                return None;
            }
            digit = Some((value, c == '两'));
        } else if matches!(c, '零' | '〇') {
            if position == 0 || digit.is_some() || after_zero {
                return None;
            }
            after_zero = true;
        } else if let Some(unit) = chinese_unit(c) {
            if unit >= last_unit {
                return None;
            }
            let multiplier = match digit.take() {
                Some((_, true)) if unit < 100 => return None,
                Some((value, _)) => value,
                // 十二 and 一百零十二's 十 stand for 一十.
                None if unit == 10 && (position == 0 || after_zero) => 1,
                None => return None,
            };
            // 零 marks at least one skipped place: 一千零五十, not 一百零十.
            if after_zero && unit * 10 >= last_unit {
                return None;
            }
            total += multiplier * unit;
            last_unit = unit;
            after_zero = false;
        } else {
            return None;
        }
    }
    match digit {
        // 两 only counts hundreds and thousands.
        Some((_, true)) => None,
        // 一百五 means 150 colloquially and 105 to a careless reader; refuse to guess.
        Some(_) if last_unit > 10 && last_unit < 10_000 && !after_zero => None,
        Some((value, _)) => Some(total + value),
        None if after_zero => None,
        None => Some(total),
    }
}

/// Formats 1..=9999 in the Chinese numerals used in labels (十二, 一百一十, 一千零一); the inverse of [`parse_chinese_number`].
pub fn chinese_numeral(n: i32) -> Option<String> {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const UNITS: [(i32, char); 3] = [(1000, '千'), (100, '百'), (10, '十')];
    if !(1..=9999).contains(&n) {
        return None;
    }
    let mut out = String::new();
    let mut rest = n;
    let mut zero_pending = false;
    for (unit, name) in UNITS {
        let place = rest / unit;
        rest %= unit;
        if place == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        // 十二, not 一十二, when 十 leads.
        if !(unit == 10 && place == 1 && out.is_empty()) {
            out.push(*DIGITS.get(place as usize)?);
        }
        out.push(name);
    }
    if rest > 0 {
        if zero_pending {
            out.push('零');
        }
        out.push(*DIGITS.get(rest as usize)?);
    }
    Some(out)
}

/// Reads Roman numerals in canonical form (I … MMMCMXCIX), any case.
fn parse_roman(s: &str) -> Option<i32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let values: Vec<i32> = s
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' => Some(1),
            'V' => Some(5),
            'X' => Some(10),
            'L' => Some(50),
            'C' => Some(100),
            'D' => Some(500),
            'M' => Some(1000),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let mut total = 0;
    for (i, value) in values.iter().enumerate() {
        if values.get(i + 1).is_some_and(|next| next > value) {
            total -= value;
        } else {
            total += value;
        }
    }
    // Only canonical spellings count, so "IIII" or "IC" stay ordinary words.
    (to_roman(total)?.eq_ignore_ascii_case(s)).then_some(total)
}

fn to_roman(mut n: i32) -> Option<String> {
    const TABLE: [(i32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if !(1..=3999).contains(&n) {
        return None;
    }
    let mut out = String::new();
    for (value, letters) in TABLE {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedDraft {
        match parse_draft(text.as_bytes(), "draft.txt", None) {
            Ok(draft) => draft,
            Err(error) => panic!("expected a draft, got: {error}"),
        }
    }

    fn refuse(bytes: &[u8]) -> ImportError {
        match parse_draft(bytes, "draft.txt", None) {
            Ok(draft) => panic!("expected a refusal, got: {draft:?}"),
            Err(error) => error,
        }
    }

    fn labels(draft: &ParsedDraft) -> Vec<&str> {
        draft.articles.iter().map(|a| a.label.as_str()).collect()
    }

    const CHINESE_DRAFT: &str = "\
某某市物业管理条例（草案征求意见稿）

起草说明：为了规范物业管理活动，特起草本条例。
欢迎社会各界提出意见。

第一章　总则

第一条　为了规范物业管理活动，维护业主的合法权益，制定本条例。
第二条　本条例适用于本市行政区域内的物业管理活动。
本条例所称物业管理，是指业主通过选聘物业服务人进行维修养护的活动。

第二章　业主和业主大会

第三条　业主享有下列权利：
（一）按照物业服务合同的约定，接受物业服务人提供的服务；
（二）提议召开业主大会会议；
(三)提出制定和修改管理规约的建议。
业主应当履行相应义务。
第三方机构应当依法提供服务。
";

    #[test]
    fn chinese_draft_with_chapters_and_items_is_parsed() {
        let draft = parse(CHINESE_DRAFT);
        assert_eq!(draft.title, "某某市物业管理条例（草案征求意见稿）");
        assert_eq!(
            draft.preamble,
            "起草说明：为了规范物业管理活动，特起草本条例。\n欢迎社会各界提出意见。"
        );
        assert_eq!(draft.language, Language::Chinese);
        assert_eq!(draft.divisions.len(), 2);
        assert_eq!(draft.divisions[0].label, "第一章");
        assert_eq!(draft.divisions[0].title, "总则");
        assert_eq!(draft.divisions[0].kind, DivisionKind::Chapter);
        assert_eq!(draft.divisions[0].parent, None);
        assert_eq!(draft.divisions[1].title, "业主和业主大会");
        assert_eq!(labels(&draft), ["第一条", "第二条", "第三条"]);
        assert_eq!(draft.articles[0].division, Some(0));
        assert_eq!(draft.articles[0].line, 8);
        assert_eq!(
            draft.articles[1].body,
            [
                "本条例适用于本市行政区域内的物业管理活动。",
                "本条例所称物业管理，是指业主通过选聘物业服务人进行维修养护的活动。"
            ]
        );
        let third = &draft.articles[2];
        assert_eq!(third.division, Some(1));
        assert_eq!(third.body.len(), 6);
        let items: Vec<bool> = third.body.iter().map(|line| is_item(line)).collect();
        assert_eq!(items, [false, true, true, true, false, false]);
        assert_eq!(third.body[5], "第三方机构应当依法提供服务。");
    }

    #[test]
    fn byte_order_mark_and_crlf_line_endings_are_accepted() {
        let text = CHINESE_DRAFT.replace('\n', "\r\n");
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(text.as_bytes());
        let draft = match parse_draft(&bytes, "draft.txt", None) {
            Ok(draft) => draft,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(draft, parse(CHINESE_DRAFT));
        assert!(!draft.title.starts_with('\u{feff}'));
    }

    #[test]
    fn lone_carriage_returns_separate_lines_and_count_for_line_numbers() {
        let draft = parse("标题\r第一条　甲。\r乙。\r\r第二条　丙。");
        assert_eq!(draft.articles[0].body, ["甲。", "乙。"]);
        assert_eq!(draft.articles[1].line, 5);
    }

    #[test]
    fn full_width_spaces_and_tabs_after_labels_are_stripped() {
        let draft = parse(
            "标题\n第一章\u{3000}\u{3000}总\u{3000}\u{3000}则\u{3000}\n\u{3000}\u{3000}第一条\t为了规范。\u{3000}\n第二条 \u{3000}本条例自公布之日起施行。",
        );
        assert_eq!(draft.divisions[0].title, "总则");
        assert_eq!(draft.articles[0].label, "第一条");
        assert_eq!(draft.articles[0].body, ["为了规范。"]);
        assert_eq!(draft.articles[1].body, ["本条例自公布之日起施行。"]);
    }

    #[test]
    fn parts_chapters_and_sections_nest_and_reset() {
        let draft = parse(
            "民法典（草案）\n\
             第一编　总则\n\
             第一章　基本规定\n\
             第一条　甲。\n\
             第二章　自然人\n\
             第一节　民事权利能力\n\
             第二条　乙。\n\
             第二节　监护\n\
             第三条　丙。\n\
             第三章　法人\n\
             第四条　丁。\n\
             第二编　物权\n\
             第一章　一般规定\n\
             第五条　戊。\n\
             第三编　合同\n\
             第六条　己。\n\
             第一节　直属于编的节\n\
             第七条　庚。",
        );
        let shape: Vec<(DivisionKind, &str, Option<usize>)> = draft
            .divisions
            .iter()
            .map(|d| (d.kind, d.label.as_str(), d.parent))
            .collect();
        use DivisionKind::{Chapter, Part, Section};
        assert_eq!(
            shape,
            [
                (Part, "第一编", None),
                (Chapter, "第一章", Some(0)),
                (Chapter, "第二章", Some(0)),
                (Section, "第一节", Some(2)),
                (Section, "第二节", Some(2)),
                (Chapter, "第三章", Some(0)),
                (Part, "第二编", None),
                (Chapter, "第一章", Some(6)),
                (Part, "第三编", None),
                (Section, "第一节", Some(8)),
            ]
        );
        let homes: Vec<Option<usize>> = draft.articles.iter().map(|a| a.division).collect();
        assert_eq!(
            homes,
            [
                Some(1),
                Some(3),
                Some(4),
                Some(5),
                Some(7),
                Some(8),
                Some(9)
            ]
        );
    }

    #[test]
    fn chinese_numerals_convert_up_to_the_thousands() {
        let cases = [
            ("一", 1),
            ("十", 10),
            ("十二", 12),
            ("一十二", 12),
            ("二十", 20),
            ("二十五", 25),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("一百一十五", 115),
            ("两百", 200),
            ("两千零二", 2002),
            ("一千", 1000),
            ("一千零一", 1001),
            ("一千零一十", 1010),
            ("一千零十", 1010),
            ("一千零五十", 1050),
            ("一千五十", 1050),
            ("一千一百", 1100),
            ("一千二百六十", 1260),
            ("九千九百九十九", 9999),
            ("〇", 0),
            ("5", 5),
            ("０１２", 12),
            ("１０２４", 1024),
        ];
        for (text, value) in cases {
            assert_eq!(parse_chinese_number(text), Some(value), "{text}");
        }
    }

    #[test]
    fn malformed_or_ambiguous_chinese_numerals_are_not_guessed() {
        for text in [
            "",
            "一百五",
            "一千一",
            "一二",
            "十两",
            "两",
            "零五",
            "一百零",
            "一百零十",
            "一千零零一",
            "百",
            "一百一千",
            "十十",
            "一万",
            "五条",
            "1二",
            "99999999999",
        ] {
            assert_eq!(parse_chinese_number(text), None, "{text}");
        }
    }

    #[test]
    fn chinese_numerals_round_trip_from_one_to_nine_thousand_nine_hundred_ninety_nine() {
        for n in 1..=9999 {
            let text = chinese_numeral(n).unwrap_or_default();
            assert_eq!(parse_chinese_number(&text), Some(n), "{n} -> {text}");
        }
        assert_eq!(chinese_numeral(1001).as_deref(), Some("一千零一"));
        assert_eq!(chinese_numeral(110).as_deref(), Some("一百一十"));
        assert_eq!(chinese_numeral(12).as_deref(), Some("十二"));
        assert_eq!(chinese_numeral(1010).as_deref(), Some("一千零一十"));
        assert_eq!(chinese_numeral(0), None);
        assert_eq!(chinese_numeral(10_000), None);
    }

    #[test]
    fn arabic_and_full_width_digit_labels_are_read() {
        let draft = parse("标题\n第5条　甲。\n第１２条　乙。\n第 20 条　丙。\n第一百条　丁。");
        let numbers: Vec<i32> = draft.articles.iter().map(|a| a.number).collect();
        assert_eq!(numbers, [5, 12, 20, 100]);
        assert_eq!(labels(&draft), ["第5条", "第１２条", "第20条", "第一百条"]);
    }

    #[test]
    fn large_chinese_article_numbers_keep_their_labels() {
        let draft =
            parse("标题\n第十条　甲。\n第二十条　乙。\n第一百一十条　丙。\n第一千零一条　丁。");
        let numbers: Vec<i32> = draft.articles.iter().map(|a| a.number).collect();
        assert_eq!(numbers, [10, 20, 110, 1001]);
        assert_eq!(draft.articles[3].label, "第一千零一条");
    }

    #[test]
    fn paragraphs_starting_with_di_or_citing_articles_stay_body_text() {
        let draft = parse(
            "标题\n\
             第一条　甲。\n\
             第三方机构应当依法提供服务。\n\
             第一条规定的情形除外。\n\
             第一条第二款所称单位，包括事业单位。\n\
             第一条、第二条不适用于本款。\n\
             第一条至第三条的规定同样适用。\n\
             第一次会议由市人民政府召集。\n\
             依照第二条处理。\n\
             第二条　乙。",
        );
        assert_eq!(labels(&draft), ["第一条", "第二条"]);
        assert_eq!(draft.articles[0].body.len(), 8);
    }

    #[test]
    fn label_glued_to_its_text_still_starts_an_article() {
        let draft =
            parse("标题\n第一章总则\n第一条为了规范管理，制定本条例。\n第二条：本条例适用于本市。");
        assert_eq!(draft.divisions[0].title, "总则");
        assert_eq!(draft.articles[0].body, ["为了规范管理，制定本条例。"]);
        assert_eq!(draft.articles[1].body, ["本条例适用于本市。"]);
    }

    #[test]
    fn chinese_heading_title_may_sit_on_the_next_line() {
        let draft = parse("标题\n第一章\n总　　则\n第一条　甲。");
        assert_eq!(draft.divisions[0].title, "总则");
        assert_eq!(draft.articles[0].body, ["甲。"]);
    }

    const ENGLISH_DRAFT: &str = "\
Draft Regulation on Public Consultation

Explanatory note: this draft sets common rules.

CHAPTER I
General Provisions

Article 1 Subject matter
1. This Regulation lays down rules on consultation.
2. It applies to:
(a) ministries;
(b) agencies, including:
(i) regulators; and
(ii) inspectorates.

Chapter II - Procedure
Section 1: Opening
Article 2
Consultations shall last at least 30 days.
SECTION 2. Closing
Article 3 Report
The authority shall publish a report.
";

    #[test]
    fn english_draft_with_roman_chapters_paragraphs_and_points_is_parsed() {
        let draft = parse(ENGLISH_DRAFT);
        assert_eq!(draft.title, "Draft Regulation on Public Consultation");
        assert_eq!(
            draft.preamble,
            "Explanatory note: this draft sets common rules."
        );
        assert_eq!(draft.language, Language::English);
        let outline: Vec<(&str, &str, i32, Option<usize>)> = draft
            .divisions
            .iter()
            .map(|d| (d.label.as_str(), d.title.as_str(), d.number, d.parent))
            .collect();
        assert_eq!(
            outline,
            [
                ("CHAPTER I", "General Provisions", 1, None),
                ("Chapter II", "Procedure", 2, None),
                ("Section 1", "Opening", 1, Some(1)),
                ("SECTION 2", "Closing", 2, Some(1)),
            ]
        );
        assert_eq!(labels(&draft), ["Article 1", "Article 2", "Article 3"]);
        let first = &draft.articles[0];
        assert_eq!(first.division, Some(0));
        assert_eq!(first.body[0], "Subject matter");
        assert_eq!(first.body.len(), 7);
        let items: Vec<bool> = first.body.iter().map(|line| is_item(line)).collect();
        assert_eq!(items, [false, false, false, true, true, true, true]);
        assert_eq!(draft.articles[1].division, Some(2));
        assert_eq!(
            draft.articles[1].body,
            ["Consultations shall last at least 30 days."]
        );
        assert_eq!(draft.articles[2].division, Some(3));
        assert_eq!(
            draft.articles[2].body,
            ["Report", "The authority shall publish a report."]
        );
    }

    #[test]
    fn english_headings_accept_any_case_and_roman_or_arabic_numbers() {
        let draft = parse(
            "Title\npart iv: Final Provisions\nchapter 3 Entry Into Force\nSection XII\nArticle 1\nText.\nPART 5 — Annexes\nARTICLE 2\nText.",
        );
        let seen: Vec<(DivisionKind, &str, i32, &str)> = draft
            .divisions
            .iter()
            .map(|d| (d.kind, d.label.as_str(), d.number, d.title.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (DivisionKind::Part, "part iv", 4, "Final Provisions"),
                (DivisionKind::Chapter, "chapter 3", 3, "Entry Into Force"),
                (DivisionKind::Section, "Section XII", 12, ""),
                (DivisionKind::Part, "PART 5", 5, "Annexes"),
            ]
        );
        assert_eq!(draft.divisions[1].parent, Some(0));
        assert_eq!(draft.divisions[2].parent, Some(1));
        assert_eq!(labels(&draft), ["Article 1", "ARTICLE 2"]);
        assert_eq!(draft.articles[1].division, Some(3));
    }

    #[test]
    fn english_heading_without_title_takes_the_next_line_unless_it_is_a_label() {
        let draft =
            parse("Title\nPART I\n\nSCOPE  AND   DEFINITIONS\nCHAPTER 1\nArticle 1\n1. Text.");
        assert_eq!(draft.divisions[0].title, "SCOPE AND DEFINITIONS");
        assert_eq!(draft.divisions[1].title, "");
        assert_eq!(draft.articles[0].body, ["1. Text."]);
    }

    #[test]
    fn english_heading_followed_by_a_numbered_paragraph_does_not_take_it_as_title() {
        let error = refuse(b"Title\nCHAPTER I\n1. Stray paragraph.\nArticle 1\nText.");
        assert!(matches!(
            error,
            ImportError::StrayText {
                line: 3,
                heading_line: 2,
                ..
            }
        ));
    }

    #[test]
    fn english_running_text_that_starts_with_a_reference_is_body_text() {
        let draft = parse(
            "Title\nArticle 1\nArticle 5 of Regulation (EU) 2016/679 applies.\nSection 3, as amended, applies.\nArticle 4(2) applies.\nPart of the costs is refunded.\nArticle 2\nText.",
        );
        assert_eq!(labels(&draft), ["Article 1", "Article 2"]);
        assert_eq!(draft.articles[0].body.len(), 4);
    }

    #[test]
    fn is_item_recognises_chinese_and_english_enumerations() {
        for line in [
            "（一）接受服务；",
            "(二)提议召开会议；",
            "（十二）其他权利。",
            "一、总体要求",
            "十一、附则",
            "(a) ministries;",
            "(b)agencies",
            "(iv) inspectorates",
            "(XI) others",
            "(1) first",
            "（２）第二",
            "a) point",
            "　(c) indented point",
        ] {
            assert!(is_item(line), "{line}");
        }
        for line in [
            "1. This Regulation applies.",
            "本条例所称物业，是指房屋。",
            "(see Article 5) for details",
            "(Repealed)",
            "第三方机构、个人",
            "Text (a) in the middle",
            "",
        ] {
            assert!(!is_item(line), "{line}");
        }
    }

    #[test]
    fn given_title_overrides_and_first_line_becomes_preamble() {
        let draft = match parse_draft(
            "某某条例（草案）\n说明文字。\n第一条　甲。".as_bytes(),
            "draft.txt",
            Some("  某某条例（征求意见稿）  "),
        ) {
            Ok(draft) => draft,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(draft.title, "某某条例（征求意见稿）");
        assert_eq!(draft.preamble, "某某条例（草案）\n说明文字。");
    }

    #[test]
    fn blank_title_override_is_ignored() {
        let draft = match parse_draft("某某条例\n第一条　甲。".as_bytes(), "d.txt", Some("　"))
        {
            Ok(draft) => draft,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(draft.title, "某某条例");
        assert_eq!(draft.preamble, "");
    }

    #[test]
    fn draft_opening_with_a_heading_takes_its_title_from_the_file_name() {
        let draft = match parse_draft(
            "第一章　总则\n第一条　甲。".as_bytes(),
            "uploads/物业管理条例.txt",
            None,
        ) {
            Ok(draft) => draft,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(draft.title, "物业管理条例");
        assert_eq!(draft.divisions[0].title, "总则");
    }

    #[test]
    fn table_of_contents_is_skipped() {
        let draft = parse(
            "某某条例\n说明。\n目　　录\n第一章　总则\n第二章　附则\n第一章　总则\n第一条　甲。\n第二章　附则\n第二条　乙。",
        );
        assert_eq!(draft.preamble, "说明。");
        assert_eq!(draft.divisions.len(), 2);
        assert_eq!(draft.articles[0].division, Some(0));
        assert_eq!(draft.articles[1].division, Some(1));
    }

    #[test]
    fn generated_thousand_article_chinese_draft_is_numbered_correctly() {
        let mut text = String::from("大型条例（草案）\n");
        for n in 1..=1000 {
            if n % 100 == 1 {
                let chapter = chinese_numeral(n / 100 + 1).unwrap_or_default();
                text.push_str(&format!("第{chapter}章　第{n}组\n"));
            }
            let numeral = chinese_numeral(n).unwrap_or_default();
            text.push_str(&format!("第{numeral}条　第{n}条内容。\n（一）项目；\n"));
        }
        let draft = parse(&text);
        assert_eq!(draft.articles.len(), 1000);
        assert_eq!(draft.divisions.len(), 10);
        for (i, article) in draft.articles.iter().enumerate() {
            let n = i as i32 + 1;
            assert_eq!(article.number, n);
            assert_eq!(
                article.label,
                format!("第{}条", chinese_numeral(n).unwrap_or_default())
            );
            assert_eq!(article.division, Some(i / 100));
            assert_eq!(article.body.len(), 2);
        }
        assert_eq!(draft.articles[9].label, "第十条");
        assert_eq!(draft.articles[109].label, "第一百一十条");
        assert_eq!(draft.articles[999].label, "第一千条");
        assert_eq!(draft.divisions[9].label, "第十章");
    }

    #[test]
    fn oversized_file_is_refused_with_the_limit() {
        let bytes = vec![b'a'; MAX_DRAFT_BYTES + 1];
        let error = refuse(&bytes);
        assert!(matches!(error, ImportError::TooLarge { size, .. } if size == MAX_DRAFT_BYTES + 1));
        let message = error.to_string();
        assert!(message.starts_with("draft.txt: "), "{message}");
        assert!(message.contains("5242880 bytes"), "{message}");
    }

    #[test]
    fn empty_and_blank_files_are_refused() {
        for bytes in [
            &b""[..],
            b"\xEF\xBB\xBF",
            b"\r\n \n\t\n",
            "\u{3000}\n".as_bytes(),
        ] {
            let error = refuse(bytes);
            assert_eq!(
                error,
                ImportError::Empty {
                    file: "draft.txt".into()
                }
            );
            assert!(error.to_string().contains("draft.txt"));
        }
    }

    #[test]
    fn gb18030_file_is_refused_with_an_iconv_suggestion() {
        let (bytes, _, unmappable) =
            encoding_rs::GB18030.encode("物业管理条例\n说明。\n第一条　为了规范物业管理。\n");
        assert!(!unmappable);
        let error = match parse_draft(&bytes, "我的 草案.txt", None) {
            Ok(draft) => panic!("{draft:?}"),
            Err(error) => error,
        };
        assert!(matches!(
            error,
            ImportError::NotUtf8 {
                line: 1,
                guess: Some(EncodingGuess::Gb18030),
                ..
            }
        ));
        assert_eq!(
            error.to_string(),
            "我的 草案.txt, line 1: the file is not valid UTF-8 text; it looks like GB18030 (GBK); \
             convert it with: iconv -f GB18030 -t UTF-8 '我的 草案.txt' > '我的 草案.txt.utf8'"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line_of_the_first_bad_byte() {
        let error = refuse(b"Title\r\nArticle 1\r\nBad \xFF byte\n");
        assert_eq!(
            error,
            ImportError::NotUtf8 {
                file: "draft.txt".into(),
                line: 3,
                guess: None
            }
        );
        assert_eq!(
            error.to_string(),
            "draft.txt, line 3: the file is not valid UTF-8 text; save it as plain text with UTF-8 encoding"
        );
    }

    #[test]
    fn utf16_file_is_refused_with_a_conversion_hint() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "第一条".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let error = refuse(&bytes);
        assert!(matches!(
            error,
            ImportError::NotUtf8 {
                guess: Some(EncodingGuess::Utf16),
                ..
            }
        ));
        assert!(
            error
                .to_string()
                .contains("iconv -f UTF-16 -t UTF-8 draft.txt > draft.txt.utf8")
        );
    }

    #[test]
    fn word_documents_and_nul_bytes_are_refused() {
        let error = refuse(b"PK\x03\x04\x14\x00\x06\x00");
        assert!(matches!(error, ImportError::WordDocument { .. }));
        assert!(error.to_string().contains("Save As"));
        let error = refuse(b"Title\nA\0r\0t\0");
        assert_eq!(
            error,
            ImportError::NulByte {
                file: "draft.txt".into(),
                line: 2
            }
        );
    }

    #[test]
    fn draft_without_articles_is_refused() {
        let error = refuse("某某条例\n这里只有说明。\n第三方机构。".as_bytes());
        assert_eq!(
            error,
            ImportError::NoArticles {
                file: "draft.txt".into()
            }
        );
        assert!(error.to_string().contains("第一条"));
    }

    #[test]
    fn backwards_article_number_names_both_labels_and_lines() {
        let error = refuse("标题\n第七条　甲。\n乙。\n第五条　丙。".as_bytes());
        assert_eq!(
            error.to_string(),
            "draft.txt, line 4: 第五条 at line 4 follows 第七条 at line 2; article numbers must increase (gaps are allowed)"
        );
    }

    #[test]
    fn repeated_article_number_is_refused_even_when_written_differently() {
        let error = refuse("标题\n第五条　甲。\n第5条　乙。".as_bytes());
        assert!(matches!(
            &error,
            ImportError::ArticleOutOfOrder {
                number: 5,
                previous_number: 5,
                line: 3,
                previous_line: 2,
                ..
            }
        ));
        assert!(
            error
                .to_string()
                .contains("第5条 at line 3 repeats the number of 第五条 at line 2")
        );
        let error = refuse(b"Title\nArticle 2\nText.\nArticle 2\nText.");
        assert!(error.to_string().contains("Article 2 at line 4 repeats"));
    }

    #[test]
    fn gaps_in_article_numbers_are_allowed() {
        let draft = parse("标题\n第一条　甲。\n第三条　乙。\n第十条　丙。");
        assert_eq!(labels(&draft), ["第一条", "第三条", "第十条"]);
    }

    #[test]
    fn unreadable_article_number_is_refused_with_its_line() {
        let error = refuse("标题\n第一百零四条　甲。\n第一百五条　乙。".as_bytes());
        assert_eq!(
            error,
            ImportError::BadLabelNumber {
                file: "draft.txt".into(),
                line: 3,
                label: "第一百五条".into()
            }
        );
    }

    #[test]
    fn text_between_a_heading_and_its_first_article_is_refused() {
        let error = refuse("标题\n第一章　总则\n本章规定一般事项。\n第一条　甲。".as_bytes());
        assert_eq!(
            error.to_string(),
            "draft.txt, line 3: this text follows heading 第一章 (line 2) but is not inside any article; move it into an article or into the preamble, or delete it"
        );
    }

    #[test]
    fn language_follows_the_first_article_label() {
        let draft = parse("Consultation draft 某某条例\nPreamble.\n第一条　甲。");
        assert_eq!(draft.language, Language::Chinese);
        let draft = parse("某某条例 English version\n第三方 note.\nArticle 1\nText.");
        assert_eq!(draft.language, Language::English);
        assert_eq!(draft.preamble, "第三方 note.");
    }

    #[test]
    fn division_kinds_round_trip_through_strings() {
        for kind in [
            DivisionKind::Part,
            DivisionKind::Chapter,
            DivisionKind::Section,
        ] {
            assert_eq!(DivisionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(DivisionKind::parse("CHAPTER"), Some(DivisionKind::Chapter));
        assert_eq!(DivisionKind::parse("article"), None);
    }

    #[test]
    fn roman_numerals_must_be_canonical() {
        assert_eq!(parse_roman("xii"), Some(12));
        assert_eq!(parse_roman("MCMXCIV"), Some(1994));
        assert_eq!(parse_roman("IIII"), None);
        assert_eq!(parse_roman("IC"), None);
        assert_eq!(parse_roman("of"), None);
    }
}
