//! The one-shot commands besides `serve`: `call`, `tools`, `doctor`, `demo`, `completions`
//! and `man`, and the writer of their stdout.

pub mod call;
pub mod demo;
pub mod doctor;
pub mod out;
pub mod shell;
pub mod tools_table;
