pub mod hash;
pub mod table;
pub mod time;
