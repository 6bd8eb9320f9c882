//! End-to-end tests: the real application on a real database, driven over HTTP like a browser.

mod harness;
mod people;

mod accounts;
mod admin;
mod authorization;
mod browser;
mod cli;
mod comments;
mod errors;
mod faults;
mod hostile;
mod mail;
mod moderation;
mod reading;
mod schema;
mod search;
mod seed;
mod setup;
