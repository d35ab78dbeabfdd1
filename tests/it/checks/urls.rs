//! Real-machine tests of `checks::urls`.
