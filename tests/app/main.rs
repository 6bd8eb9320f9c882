//! End-to-end tests: the real application on a real database, driven over HTTP like a browser.

mod harness;

mod accounts;
mod admin;
mod cli;
mod comments;
mod drafter;
mod errors;
mod mail;
mod moderation;
mod reading;
mod schema;
mod search;
mod seed;
mod setup;
