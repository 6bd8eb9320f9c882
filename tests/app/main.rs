//! End-to-end tests: the real application on a real database, driven over HTTP like a browser.

mod harness;
mod people;

mod accounts;
mod admin;
mod api;
mod authorization;
mod browser;
mod campaigns;
mod cli;
mod comments;
mod digests;
mod drafter;
mod errors;
mod exports;
mod faults;
mod hostile;
mod ledger;
mod mail;
mod moderation;
mod reading;
mod schema;
mod search;
mod seed;
mod setup;
mod versions;
