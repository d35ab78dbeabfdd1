//! Real-machine tests of `checks::process`.
