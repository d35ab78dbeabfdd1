//! Real-machine tests of `checks::logging`.
