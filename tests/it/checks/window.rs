//! Real-machine tests of `checks::window`.
