//! Real-machine tests of `checks::contacts`.
