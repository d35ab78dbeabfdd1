//! Real-machine tests of `checks::env`.
