//! Real-machine tests of `checks::kubernetes`.
