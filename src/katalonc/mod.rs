//! The katalonc command line: build it from the plan ([`argv`]) and render
//! it for its consumer ([`quote`]).

pub mod argv;
pub mod lint;
pub mod options;
pub mod quote;
pub mod split;
