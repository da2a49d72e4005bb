//! The Katalon Runtime Engine (katalonc itself): which archive a config and
//! platform mean, pinned in the lock like plugins, fetched once into the
//! content-addressed cache, and copied into a writable engine per project.

pub mod platform;

pub use platform::{Packing, Platform, Unsupported};
