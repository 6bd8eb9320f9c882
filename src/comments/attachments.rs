//! Position papers attached to comments: PDF, DOCX, ODT, TXT, PNG and JPEG, at most five of
//! 10 MB each. Limits are enforced while the upload streams in, the type is decided from the
//! content (never the name), and files are stored once under their SHA-256.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Most files on one comment.
pub const MAX_FILES: usize = 5;
/// Largest file, in bytes.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Longest kept file name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// How much of the start of a file is kept to decide its type.
const SNIFF_BYTES: usize = 8192;

/// A type of file comments may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// PDF.
    Pdf,
    /// Word (Office Open XML).
    Docx,
    /// OpenDocument text.
    Odt,
    /// Plain UTF-8 text.
    Txt,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
}

impl Kind {
    /// The MIME type served.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Txt => "text/plain; charset=utf-8",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// Decides the type from the first bytes of a file; `None` for anything not accepted.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        match infer::get(head).map(|t| t.mime_type()) {
            Some("application/pdf") => Some(Self::Pdf),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document") => {
                Some(Self::Docx)
            }
            Some("application/vnd.oasis.opendocument.text") => Some(Self::Odt),
            Some("image/png") => Some(Self::Png),
            Some("image/jpeg") => Some(Self::Jpeg),
            Some(_) => None,
            None if looks_like_text(head) => Some(Self::Txt),
            None => None,
        }
    }
}

/// UTF-8 without NUL bytes, allowing a character cut at the end of the sample.
fn looks_like_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // No error length means the sample ends inside a character, which the cut explains.
        Err(e) => e.error_len().is_none(),
    }
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentError {
    /// More than [`MAX_FILE_BYTES`].
    #[error("file larger than 10 MB")]
    TooLarge,
    /// More than [`MAX_FILES`].
    #[error("more than 5 files")]
    TooMany,
    /// Not one of the accepted types.
    #[error("file type not accepted")]
    BadType,
    /// Storage failed.
    #[error("storing the file failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A file received and stored.
#[derive(Clone, Debug)]
pub struct Stored {
    /// SHA-256 (hex), also its name in storage.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Its type.
    pub kind: Kind,
    /// The name it was uploaded under, cleaned.
    pub file_name: String,
}

/// A file being received: written to a temporary file while its hash and size are counted.
pub struct Upload {
    file: tokio::fs::File,
    temp: PathBuf,
    dir: PathBuf,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl Upload {
    /// Starts receiving a file into `dir`.
    pub async fn start(dir: &Path) -> Result<Self, AttachmentError> {
        tokio::fs::create_dir_all(dir).await?;
        let temp = dir.join(format!(
            ".upload-{}",
            hex::encode(rand::random::<[u8; 12]>())
        ));
        let file = tokio::fs::File::create(&temp).await?;
        Ok(Self {
            file,
            temp,
            dir: dir.to_path_buf(),
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Adds a chunk; refuses as soon as the file passes the size limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AttachmentError> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE_BYTES {
            return Err(AttachmentError::TooLarge);
        }
        if self.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// Checks the type and moves the file to its content-addressed place.
    pub async fn finish(mut self, original_name: &str) -> Result<Stored, AttachmentError> {
        self.file.flush().await?;
        let Some(kind) = Kind::sniff(&self.head) else {
            // A refused file must not stay behind as a temporary file.
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(AttachmentError::BadType);
        };
        let sha256 = hex::encode(self.hasher.finalize_reset());
        let target = path_of(&self.dir, &sha256);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(&self.temp, &target).await?;
        Ok(Stored {
            sha256,
            size: self.size,
            kind,
            file_name: clean_name(original_name),
        })
    }

    /// Removes the temporary file of an upload that was refused.
    pub async fn discard(self) {
        let _ = tokio::fs::remove_file(&self.temp).await;
    }
}

/// Where a file with this hash lives.
pub fn path_of(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

/// A file name safe to show and to put in a Content-Disposition header.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(MAX_NAME_CHARS)
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_decided_from_content_not_names() {
        assert_eq!(
            Kind::sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            Some(Kind::Pdf)
        );
        assert_eq!(
            Kind::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(Kind::Png)
        );
        assert_eq!(
            Kind::sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Some(Kind::Jpeg)
        );
        assert_eq!(
            Kind::sniff("意见书：建议修改第五条。".as_bytes()),
            Some(Kind::Txt)
        );
        assert_eq!(
            Kind::sniff(b"MZ\x90\0\x03\0\0\0"),
            None,
            "an executable is refused"
        );
        assert_eq!(Kind::sniff(b"GIF89a\x01\0"), None, "GIF is not on the list");
        assert_eq!(Kind::sniff(b"text with a \0 byte"), None);
    }

    #[test]
    fn names_lose_paths_quotes_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\li\\意见书.pdf"), "意见书.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name(""), "attachment");
    }
}
