//! One module per measurement; each returns its figures as a type the report renders.

pub mod comparison;
pub mod fan_out;
pub mod fleet;
pub mod live;
