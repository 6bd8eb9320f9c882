//! Campaigns: near-identical comments (form letters, copy-paste, bot waves) grouped into clusters
//! so that drafters see one voice with its count.

#[cfg(test)]
mod labelled;
pub mod minhash;
