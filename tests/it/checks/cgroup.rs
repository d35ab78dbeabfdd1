//! Real-machine tests of `checks::cgroup`.
