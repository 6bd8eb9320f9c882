//! Analysis of what was said: keywords suggested as themes.

pub mod keywords;
