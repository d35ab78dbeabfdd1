//! Real-machine tests of `checks::container`.
