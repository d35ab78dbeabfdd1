//! Real-machine tests of `checks::secrets`.
