//! yijian (意见征集): a public consultation platform where drafts are commented article by article.

pub mod accounts;
pub mod analysis;
pub mod app;
pub mod bench;
pub mod campaigns;
pub mod comments;
pub mod config;
pub mod consultations;
pub mod dashboard;
pub mod db;
pub mod drafts;
pub mod exports;
pub mod i18n;
pub mod ledger;
pub mod mail;
pub mod organizations;
pub mod reading;
pub mod responses;
pub mod roles;
pub mod search;
pub mod seed;
pub mod subscriptions;
pub mod themes;
pub mod validation;
pub mod versions;
pub mod web;
