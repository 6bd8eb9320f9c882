//! End-to-end tests: the real application on a real database, driven over HTTP like a browser.

mod harness;

mod accounts;
mod admin;
mod campaigns;
mod cli;
mod comments;
mod digests;
mod drafter;
mod errors;
mod ledger;
mod mail;
mod moderation;
mod reading;
mod schema;
mod search;
mod seed;
mod setup;
