//! Form validation results shared by every form: which field failed and the message to show.

/// A form field that failed validation, with the message key to show beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the form.
    pub field: &'static str,
    /// The i18n key of the message.
    pub message: &'static str,
    /// Named values the message mentions.
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    /// An error on `field` with the message `message` and no arguments.
    pub fn new(field: &'static str, message: &'static str) -> Self {
        Self {
            field,
            message,
            args: Vec::new(),
        }
    }
}

/// Checks a required single-line text: trimmed, 1 to `max` characters, no control characters.
pub fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "field-required"));
    }
    optional_text(field, text, max).map(|t| t.unwrap_or_default())
}

/// Checks an optional text: trimmed, at most `max` characters, no control characters other than
/// line breaks; empty means `None`.
pub fn optional_text(
    field: &'static str,
    raw: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(FieldError {
            field,
            message: "text-too-long",
            args: vec![("max", max.to_string())],
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(field, "text-control-chars"));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}
