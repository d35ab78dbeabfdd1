//! Real-machine tests of `checks::tls`.
