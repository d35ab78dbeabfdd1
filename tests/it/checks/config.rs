//! Real-machine tests of `checks::config`.
